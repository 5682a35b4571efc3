"""Write the intake corpus: partner files as they really arrive, good, awkward and bad.

The files are committed; this script only exists so that their exact bytes (BOM, Windows-1252,
CRLF, no-break spaces, binary signatures) are reviewable and reproducible. The expected
receipts live in ``expected.yaml`` and are written by hand, not by this script.

    .venv/bin/python tests/intake/corpus/make_corpus.py          # (re)write the files
    .venv/bin/python tests/intake/corpus/make_corpus.py --check  # exit 1 if a file differs

The hostile and messy files (``hostile.py``) have their receipts in ``expected_hostile.yaml``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

PLACEMENTS = [
    "periode",
    "code_structure",
    "type_structure",
    "code_commune",
    "places",
    "enfants_accueillis",
    "dont_enfants_handicap",
    "dont_familles_modestes",
    "horaires_atypiques",
]
ATTENDANCE = [
    "periode",
    "code_structure",
    "heures_theoriques",
    "heures_realisees",
    "heures_facturees",
    "jours_ouverture",
]
BENEFICIARIES = [
    "periode",
    "code_action",
    "code_territoire",
    "public",
    "nombre",
    "dont_familles_modestes",
]
ACTION_REPORTS = [
    "periode",
    "code_action",
    "etat",
    "part_realisee",
    "code_jalon",
    "date_jalon",
    "commentaire",
]

# Placements rows that pass every rule against the test's reference data.
GOOD_PLACEMENTS = [
    ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "24", "31", "1", "7", "non"],
    ["2017", "MAM-40088-01", "MAM", "40088", "12", "15", "0", "3", "oui"],
    ["2017", "AM-01004", "ASSISTANT_MATERNEL", "01004", "40", "52", "", "", ""],
]
GOOD_BENEFICIARIES = [
    ["2017", "LAN-3.2", "200069409", "FAMILLES", "42", "12"],
    ["2017", "LAN-3.1", "40192", "ENFANTS", "118", ""],
    ["2018", "LAN-3.2", "244000808", "PARENTS", "27", "9"],
]
GOOD_ATTENDANCE = [
    ["2017-T1", "EAJE-40192-01", "14520", "10890,5", "11760", "62"],
    ["2017-T1", "EAJE-40088-01", "7260", "5120,25", "5400", "62"],
]

NBSP, NNBSP = "\u00a0", "\u202f"


def table(
    rows: list[list[str]],
    *,
    sep: str = ";",
    eol: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
    end: str | None = None,
) -> bytes:
    """Join rows of cells (written exactly as they must appear) into the file's bytes."""
    text = eol.join(sep.join(row) for row in rows) + (eol if end is None else end)
    data = text.encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def quoted(row: list[str]) -> list[str]:
    return ['"' + cell.replace('"', '""') + '"' for cell in row]


def with_column(header: list[str], rows: list[list[str]], title: str, values: list[str]):
    return [[*header, title], *[[*row, value] for row, value in zip(rows, values, strict=True)]]


def fake_xlsx() -> bytes:
    """A small Office Open XML workbook: what "Enregistrer sous .csv" forgot to do."""
    buffer = io.BytesIO()
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook><sheets><sheet name="Places" '
        'sheetId="1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>periode</t></is></c></row></sheetData></worksheet>',
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2018, 3, 1, 9, 0, 0)), content)
    return buffer.getvalue()


def fake_xls() -> bytes:
    """The first bytes of a legacy (OLE2 compound document) Excel workbook."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff"
    return header + bytes(512 - len(header)) + b"Workbook" + bytes(64)


def fake_png() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00"
        b"\x00\x90\x91h6\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x00\x00\x00"
        b"\x00IEND\xaeB`\x82"
    )


def accepted_files() -> dict[str, bytes]:
    P, A, B = PLACEMENTS, ATTENDANCE, BENEFICIARIES
    return {
        "accept_semicolon_utf8_lf.csv": table([P, *GOOD_PLACEMENTS]),
        "accept_comma_delimiter.csv": table([P, *GOOD_PLACEMENTS], sep=","),
        "accept_tab_delimiter.csv": table([A, *GOOD_ATTENDANCE], sep="\t"),
        "accept_utf8_bom_crlf.csv": table([B, *GOOD_BENEFICIARIES], eol="\r\n", bom=True),
        "accept_crlf_no_bom.csv": table([P, *GOOD_PLACEMENTS], eol="\r\n"),
        "accept_cr_only_line_ends.csv": table([P, *GOOD_PLACEMENTS], eol="\r"),
        "accept_cp1252_accents.csv": table(
            [
                [
                    "Période",
                    "Code structure",
                    "Type structure",
                    "Code commune",
                    "Places",
                    "Enfants accueillis",
                    "Dont enfants handicap",
                    "Dont familles modestes",
                    "Horaires atypiques",
                ],
                [
                    "2017",
                    "Crèche Les Œillets",
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "31",
                    "1",
                    "7",
                    "non",
                ],
                [
                    "2017",
                    "Halte-garderie l’Île aux enfants",
                    "EAJE_COLLECTIF",
                    "40088",
                    "16",
                    "22",
                    "0",
                    "5",
                    "non",
                ],
            ],
            encoding="cp1252",
            eol="\r\n",
        ),
        "accept_utf8_accents.csv": table(
            [
                P,
                [
                    "2017",
                    "Crèche Les Œillets",
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "31",
                    "1",
                    "7",
                    "non",
                ],
                [
                    "2017",
                    "Micro-crèche Cœur d’Ajaccio",
                    "MICRO_CRECHE",
                    "2A004",
                    "10",
                    "14",
                    "",
                    "",
                    "",
                ],
            ]
        ),
        "accept_decimal_comma_hours.csv": table(
            [
                A,
                ["2017", "EAJE-40192-01", "58080", "43562,5", "47040,75", "226"],
                ["2017", "MAM-01004-01", "8712,0", "6534,25", "6534,25", ""],
            ]
        ),
        "accept_thousands_space_hours.csv": table(
            [
                A,
                ["2017-T2", "EAJE-40192-01", "14 520", "10 890,5", "11 760", "62"],
                ["2017-T2", "EAJE-40088-01", f"7{NBSP}260", f"5{NBSP}120,25", f"5{NBSP}400", "62"],
                ["2017-T2", "MAM-01004-01", f"2{NNBSP}178", f"1{NNBSP}633,5", f"1{NNBSP}700", "62"],
            ]
        ),
        "accept_thousands_nbsp_counts_cp1252.csv": table(
            [
                [
                    "Période",
                    "Code action",
                    "Code territoire",
                    "Public",
                    "Nombre",
                    "Dont familles modestes",
                ],
                ["2017", "LAN-3.2", "200069409", "FAMILLES", f"1{NBSP}250", "320"],
                ["2017", "LAN-3.1", "244000808", "ENFANTS", "2 480", "1 015"],
            ],
            encoding="cp1252",
        ),
        "accept_headers_case_accents_spaces.csv": table(
            [
                [
                    "PÉRIODE",
                    "Code Structure",
                    "type-structure",
                    "  code commune ",
                    "PLACES",
                    "Enfants accueillis",
                    "Dont_Enfants_Handicap",
                    "dont familles modestes",
                    "Horaires Atypiques",
                ],
                *GOOD_PLACEMENTS[:2],
            ]
        ),
        "accept_headers_reordered.csv": table(
            [
                [
                    "Code structure",
                    "Heures réalisées",
                    "Période",
                    "Heures facturées",
                    "Heures théoriques",
                ],
                ["EAJE-40192-01", "10890,5", "2017-T1", "11760", "14520"],
                ["EAJE-40088-01", "5120,25", "2017-T1", "5400", "7260"],
            ]
        ),
        "accept_blank_trailing_lines.csv": table(
            [P, *GOOD_PLACEMENTS[:2], [""], [""] * 9, [""], [""]]
        ),
        "accept_trailing_empty_columns.csv": table(
            [[*P, "", "", ""], *[[*row, "", "", ""] for row in GOOD_PLACEMENTS[:2]]]
        ),
        "accept_quoted_cells.csv": table([quoted(P), *[quoted(r) for r in GOOD_PLACEMENTS]]),
        "accept_quoted_delimiter_and_quotes.csv": table(
            [
                quoted(P),
                [
                    "2017",
                    '"Crèche ""Les Lutins""; site 2"',
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "31",
                    "1",
                    "7",
                    "non",
                ],
                [
                    "2017",
                    '"Micro-crèche; Saint-Paul"',
                    "MICRO_CRECHE",
                    "40088",
                    "10",
                    "14",
                    "0",
                    "2",
                    "oui",
                ],
            ]
        ),
        "accept_commune_code_leading_zero.csv": table(
            [
                P,
                GOOD_PLACEMENTS[0],
                ["2017", "MAM-01004-01", "MAM", "1004", "12", "15", "0", "3", "non"],
            ]
        ),
        "accept_territory_code_leading_zero.csv": table(
            [
                B,
                ["2017", "LAN-3.2", "200069409", "FAMILLES", "42", "12"],
                ["2017", "LAN-3.2", "1004", "FAMILLES", "8", "2"],
            ]
        ),
        "accept_period_month_slash.csv": table(
            [
                A,
                ["03/2017", "EAJE-40192-01", "4840", "3630,5", "3920", "21"],
                ["3/2017", "EAJE-40088-01", "2420", "1815", "1960", "21"],
                ["12/2018", "MAM-01004-01", "1210", "900", "950", "19"],
            ]
        ),
        "accept_period_quarter_q.csv": table(
            [
                A,
                ["2017-Q1", "EAJE-40192-01", "14520", "10890,5", "11760", "62"],
                ["2017-q2", "EAJE-40192-01", "14520", "11002", "11800", "61"],
            ]
        ),
        "accept_period_quarter_t.csv": table(
            [
                A,
                ["2018-T3", "EAJE-40192-01", "14520", "9800", "10100", "50"],
                ["2018-t4", "EAJE-40192-01", "14520", "11200", "11900", "58"],
            ]
        ),
        "accept_period_year_month.csv": table(
            [
                A,
                ["2019-03", "EAJE-40192-01", "4840", "3630,5", "3920", "21"],
                ["2019-3", "EAJE-40088-01", "2420", "1815", "1960", "21"],
                ["2019-12", "EAJE-40192-01", "4400", "3300", "3500", "19"],
            ]
        ),
        "accept_unknown_extra_column.csv": table(
            with_column(
                P,
                GOOD_PLACEMENTS[:2],
                "commentaire",
                ["Ouverture d'une section en mars", "Agrément modifié"],
            )
        ),
        "accept_structure_name_column.csv": table(
            [
                [P[0], P[1], "Nom de la structure", *P[2:]],
                *[
                    [row[0], row[1], name, *row[2:]]
                    for row, name in zip(
                        GOOD_PLACEMENTS[:2],
                        ["Crèche Les Lutins", "MAM Les Petits Pas"],
                        strict=True,
                    )
                ],
            ]
        ),
        "accept_optional_columns_absent.csv": table([P[:6], *[r[:6] for r in GOOD_PLACEMENTS]]),
        "accept_short_rows.csv": table([P, GOOD_PLACEMENTS[0], GOOD_PLACEMENTS[1][:6]]),
        "accept_yes_no_variants.csv": table(
            [
                P,
                *[
                    ["2017", f"EAJE-40192-0{i}", "EAJE_COLLECTIF", "40192", "24", "30", "1", "5", v]
                    for i, v in enumerate(["Oui", "NON", "o", "N", "X", ""], start=1)
                ],
            ]
        ),
        "accept_empty_markers.csv": table(
            [
                P,
                [
                    "2017",
                    "EAJE-40192-01",
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "31",
                    "NA",
                    "null",
                    "non",
                ],
                ["2017", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "24", "31", "n/a", "", ""],
            ]
        ),
        "accept_empty_marker_yes_no.csv": table(
            [
                P,
                ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "24", "31", "1", "7", "NA"],
                ["2017", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "24", "31", "0", "2", "n/a"],
            ]
        ),
        "accept_whole_counts_written_with_decimals.csv": table(
            [
                P,
                [
                    "2017",
                    "EAJE-40192-01",
                    "EAJE_COLLECTIF",
                    "40192",
                    "24,0",
                    "31.0",
                    "1,00",
                    "7",
                    "non",
                ],
            ]
        ),
    }


def refused_files() -> dict[str, bytes]:
    P, A, B = PLACEMENTS, ATTENDANCE, BENEFICIARIES
    many = [
        ["2017", f"AM-40192-{i:02d}", "ASSISTANT_MATERNEL", "40192", "4", "5", "0", "1", "non"]
        for i in range(1, 13)
    ]
    return {
        "refuse_empty.csv": b"",
        "refuse_bom_only.csv": b"\xef\xbb\xbf",
        "refuse_blank_lines_only.csv": b"\r\n;;;;\r\n\r\n",
        "refuse_header_only.csv": table([P]),
        "refuse_header_only_no_line_end.csv": table([A], end=""),
        "refuse_header_then_blank_rows.csv": table([P, [""] * 9, [""]], eol="\r\n", bom=True),
        "refuse_xlsx_renamed.csv": fake_xlsx(),
        "refuse_xls_renamed.csv": fake_xls(),
        "refuse_pdf_renamed.csv": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"
        b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        "refuse_png_renamed.csv": fake_png(),
        "refuse_wrong_kind_attendance_as_placements.csv": table([A, *GOOD_ATTENDANCE]),
        "refuse_wrong_kind_beneficiaries_as_attendance.csv": table([B, *GOOD_BENEFICIARIES]),
        "refuse_missing_required_column.csv": table(
            [[c for c in P if c != "places"], *[r[:4] + r[5:] for r in GOOD_PLACEMENTS[:2]]]
        ),
        "refuse_too_large.csv": table([P, *many]),
        "refuse_formula_injection.csv": table(
            [
                P,
                [
                    "2017",
                    "EAJE-40192-01",
                    "EAJE_COLLECTIF",
                    "40192",
                    "=SOMME(E3:E9)",
                    "30",
                    "1",
                    "6",
                    "non",
                ],
                ["2017", "@SUM(1+1)", "EAJE_COLLECTIF", "40192", "24", "30", "1", "6", "non"],
                ["2017", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "24", "+A1", "1", "6", "non"],
                ["2017", "MAM-01004-01", "MAM", "01004", "12", "12", "-2+3", "0", "non"],
                ["2017", "MAM-40192-02", "MAM", "40192", "+12", "12", "0", "0", "non"],
                ["2017", "EAJE-40192-03", "EAJE_COLLECTIF", "40192", "-5", "12", "0", "0", "non"],
                ["2017", "-EAJE-40192-04", "EAJE_COLLECTIF", "40192", "10", "12", "0", "0", "non"],
            ]
        ),
        "refuse_personal_data_identity.csv": table(
            [
                [*B, "Nom", "Prénom", "NIR", "Date de naissance", "Email"],
                [
                    *GOOD_BENEFICIARIES[0],
                    "Dupont",
                    "Léa",
                    "2 85 03 40 192 123 45",
                    "12/03/1985",
                    "lea.dupont@example.org",
                ],
                [*GOOD_BENEFICIARIES[2], "Martin", "Noé", "", "", ""],
            ]
        ),
        "refuse_personal_data_contacts.csv": table(
            [
                [
                    *P,
                    "Téléphone",
                    "Adresse",
                    "Courriel",
                    "N° sécurité sociale",
                    "Adresse de la structure",
                ],
                [
                    *GOOD_PLACEMENTS[0],
                    "05 58 00 00 00",
                    "3 rue des Arènes",
                    "x@example.org",
                    "",
                    "1 place de la Mairie",
                ],
            ]
        ),
        "refuse_personal_data_caf_number.csv": table(
            with_column(P, GOOD_PLACEMENTS[:2], "Matricule allocataire", ["4012345", "4067890"])
        ),
        "refuse_personal_data_named_contact.csv": table(
            [
                [*P, "Nom du directeur de la structure", "Courriel du référent de la structure"],
                [*GOOD_PLACEMENTS[0], "Jeanne Durand", "jeanne.durand@example.org"],
            ]
        ),
        "refuse_counts_not_whole.csv": table(
            [
                P,
                ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "12,5", "30", "1", "6", "non"],
                ["2017", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "20", "30.5", "1", "6", "non"],
                ["2017", "MAM-01004-01", "MAM", "01004", "12", "14", "0", "0,5", "non"],
            ],
            eol="\r\n",
        ),
        "refuse_count_not_whole_beneficiaries.csv": table(
            [B, GOOD_BENEFICIARIES[0], ["2017", "LAN-3.1", "40088", "ENFANTS", "4,2", "2"]]
        ),
        "refuse_negative_values.csv": table(
            [
                P,
                ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "-5", "30", "1", "6", "non"],
                ["2017", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "20", "-1", "", "", "non"],
                ["2017", "MAM-01004-01", "MAM", "01004", "12", "14", "-1", "0", "non"],
                ["2017", "MAM-40088-02", "MAM", "40088", "- 3", "14", "0", "0", "non"],
            ]
        ),
        "refuse_negative_hours.csv": table(
            [
                A,
                ["2017-T1", "EAJE-40192-01", "14520", "-10,5", "11760", "62"],
                ["2017-T1", "EAJE-40088-01", "7260", "5120", "-1 200", "62"],
            ]
        ),
        "refuse_dont_above_total_placements.csv": table(
            [
                P,
                ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "24", "30", "31", "6", "non"],
                ["2017", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "24", "30", "1", "40", "non"],
                ["2017", "MAM-01004-01", "MAM", "01004", "12", "10", "11", "12", "non"],
                ["2017", "MAM-40088-02", "MAM", "40088", "12", "10", "10", "10", "non"],
            ]
        ),
        "refuse_dont_above_total_beneficiaries.csv": table(
            [
                B,
                GOOD_BENEFICIARIES[0],
                ["2017", "LAN-3.1", "40088", "FAMILLES", "42", "50"],
            ]
        ),
        "refuse_unknown_structure_type.csv": table(
            [
                P,
                ["2017", "EAJE-40192-01", "CRECHE", "40192", "24", "30", "1", "6", "non"],
                [
                    "2017",
                    "EAJE-40088-01",
                    "Crèche collective",
                    "40088",
                    "24",
                    "30",
                    "1",
                    "6",
                    "non",
                ],
                GOOD_PLACEMENTS[2],
            ]
        ),
        "refuse_unknown_public.csv": table(
            [
                B,
                ["2017", "LAN-3.2", "200069409", "ADULTES", "42", "12"],
                GOOD_BENEFICIARIES[1],
                ["2017", "LAN-3.2", "40192", "Séniors", "10", ""],
            ]
        ),
        "refuse_unknown_yes_no.csv": table(
            [
                P,
                [
                    "2017",
                    "Crèche Les Œillets",
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "30",
                    "1",
                    "6",
                    "peut-être",
                ],
                ["2017", "MAM Les Câlins", "MAM", "40088", "12", "10", "0", "2", "2"],
            ],
            encoding="cp1252",
        ),
        "refuse_unknown_commune.csv": table(
            [
                P,
                ["2017", "EAJE-99999-01", "EAJE_COLLECTIF", "99999", "24", "30", "1", "6", "non"],
                ["2017", "EAJE-40999-01", "EAJE_COLLECTIF", "40999", "24", "30", "1", "6", "non"],
                ["2017", "EAJE-4019A-01", "EAJE_COLLECTIF", "4019A", "24", "30", "1", "6", "non"],
            ]
        ),
        "refuse_unknown_territory.csv": table(
            [
                B,
                ["2017", "LAN-3.2", "40999", "FAMILLES", "42", "12"],
                ["2017", "LAN-3.2", "200000000", "FAMILLES", "42", "12"],
                ["2017", "LAN-3.2", "ABC12", "FAMILLES", "42", "12"],
            ]
        ),
        "refuse_unknown_action.csv": table(
            [
                B,
                ["2017", "LAN-9.9", "200069409", "FAMILLES", "42", "12"],
                ["2017", "ESS-1.1", "40192", "ENFANTS", "18", ""],
            ]
        ),
        "refuse_duplicate_key_placements.csv": table(
            [
                P,
                GOOD_PLACEMENTS[0],
                GOOD_PLACEMENTS[1],
                ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "26", "33", "1", "7", "non"],
                ["2017", " EAJE-40192-01 ", "EAJE_COLLECTIF", "40192", "24", "31", "1", "7", "non"],
            ]
        ),
        "refuse_duplicate_key_beneficiaries.csv": table(
            [
                B,
                ["2017", "LAN-3.2", "200069409", "FAMILLES", "42", "12"],
                ["2017", "LAN-3.2", "200069409", "FAMILLES", "40", "11"],
                ["2017", "LAN-3.2", "200069409", "PARENTS", "42", "12"],
            ]
        ),
        "refuse_duplicate_key_period_spellings.csv": table(
            [
                A,
                ["2017-03", "EAJE-40192-01", "4840", "3630,5", "3920", "21"],
                ["03/2017", "EAJE-40192-01", "4840", "3630,5", "3920", "21"],
                ["2017-T1", "EAJE-40088-01", "7260", "5120,25", "5400", "62"],
                ["2017-q1", "EAJE-40088-01", "7260", "5120,25", "5400", "62"],
            ]
        ),
        "refuse_period_in_future.csv": table(
            [
                P,
                [
                    "2020-T2",
                    "EAJE-40192-01",
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "30",
                    "1",
                    "6",
                    "non",
                ],
                ["2021", "EAJE-40088-01", "EAJE_COLLECTIF", "40088", "24", "30", "1", "6", "non"],
                ["02/2020", "MAM-01004-01", "MAM", "01004", "12", "10", "0", "2", "non"],
                ["2020", "MAM-40088-02", "MAM", "40088", "12", "10", "0", "2", "non"],
            ]
        ),
        "refuse_period_outside_scheme.csv": table(
            [
                P,
                ["2012", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "24", "30", "1", "6", "non"],
                [
                    "2014-T4",
                    "EAJE-40088-01",
                    "EAJE_COLLECTIF",
                    "40088",
                    "24",
                    "30",
                    "1",
                    "6",
                    "non",
                ],
                ["12/2014", "MAM-01004-01", "MAM", "01004", "12", "10", "0", "2", "non"],
                ["2015-01", "MAM-40088-02", "MAM", "40088", "12", "10", "0", "2", "non"],
                ["2019-12", "MAM-40088-03", "MAM", "40088", "12", "10", "0", "2", "non"],
            ]
        ),
        "refuse_malformed_period.csv": table(
            [
                P,
                *[
                    [
                        p,
                        f"AM-40192-{i:02d}",
                        "ASSISTANT_MATERNEL",
                        "40192",
                        "4",
                        "5",
                        "0",
                        "1",
                        "non",
                    ]
                    for i, p in enumerate(
                        [
                            "2017-T5",
                            "13/2017",
                            "2017/03",
                            "T1 2017",
                            "janvier 2017",
                            "17",
                            "2017-00",
                        ],
                        start=1,
                    )
                ],
            ]
        ),
        "refuse_missing_required_value.csv": table(
            [
                P,
                ["", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "24", "30", "1", "6", "non"],
                ["2017", "", "EAJE_COLLECTIF", "40088", "24", "30", "1", "6", "non"],
                ["2017", "MAM-01004-01", "MAM", "01004", "NA", "10", "0", "2", "non"],
                ["2017", "MAM-40088-02", " ", "40088", "12", "10", "0", "2", "non"],
                ["2017", "MAM-40088-03", "MAM", "40088", "12", "", "", "", "non"],
            ]
        ),
        "refuse_unknown_structure_attendance.csv": table(
            [
                A,
                GOOD_ATTENDANCE[0],
                ["2017-T1", "EAJE-99999-01", "7260", "5120,25", "5400", "62"],
            ]
        ),
        "refuse_number_format.csv": table(
            [
                A,
                ["2017-T1", "EAJE-40192-01", "douze", "10890,5", "11760", "62"],
                ["2017-T1", "EAJE-40088-01", "7260", "12 h", "5400", "62"],
                ["2017-T1", "MAM-01004-01", "2178", "1633,5", "1.234,5", "62"],
            ]
        ),
        "refuse_error_after_blank_line.csv": table(
            [
                P,
                GOOD_PLACEMENTS[0],
                [""],
                ["2017", "MAM-40088-01", "MAM", "40088", "-2", "15", "0", "3", "oui"],
            ]
        ),
        "refuse_error_after_multiline_cell.csv": table(
            [
                P,
                [
                    "2017",
                    '"Crèche\nLes Lutins"',
                    "EAJE_COLLECTIF",
                    "40192",
                    "24",
                    "31",
                    "1",
                    "7",
                    "non",
                ],
                ["2017", "EAJE-99999-01", "EAJE_COLLECTIF", "99999", "24", "31", "1", "7", "non"],
            ]
        ),
        "refuse_error_with_leading_blank_line.csv": b"\n"
        + table(
            [P, ["2017", "EAJE-40192-01", "EAJE_COLLECTIF", "40192", "abc", "31", "1", "7", "non"]]
        ),
    }


def submission_files() -> dict[str, bytes]:
    """Files sent through the partner registry (detected kind, partner, kind expected)."""
    return {
        "service_unknown_partner.csv": table([PLACEMENTS, *GOOD_PLACEMENTS]),
        "service_kind_not_expected.csv": table([BENEFICIARIES, *GOOD_BENEFICIARIES]),
        "service_unknown_kind.csv": table(
            [["annee", "commune", "nb_enfants"], ["2017", "40192", "31"]]
        ),
        "service_attendance_from_registered_partner.csv": table(
            [ATTENDANCE, *GOOD_ATTENDANCE], eol="\r\n", bom=True
        ),
        # the kind is found from the header below the export's title rows
        "service_attendance_below_title_rows.csv": table(
            [["Heures de fréquentation - CAF des Landes"], [""], ATTENDANCE, *GOOD_ATTENDANCE]
        ),
    }


def action_report_files() -> dict[str, bytes]:
    """Action reports (« suivi des actions »), sent through the registry: the sender matters.

    In the test's reference, LAN-3.1 (scheme 2016-2018, milestones LAN-3.1-J1, LAN-3.1-J2) is
    piloted by caf40 with msa-sud-aquitaine; LAN-3.2 (milestone LAN-3.2-J1) by udaf40 with caf40.
    """
    A = ACTION_REPORTS
    return {
        "service_action_report_accepted.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "EN_COURS", "37,5", "LAN-3.1-J1", "15/03/2016", ""],
                [
                    "2017",
                    "LAN-3.1",
                    "EN_COURS",
                    "37,5",
                    "LAN-3.1-J2",
                    "2017-11-30",
                    '"Deux réunions tenues ; la troisième, reportée à 2018."',
                ],
                ["2017", "LAN-3.2", "REALISEE", "", "", "", "Réseau réuni < 10 fois"],
                ["2018", "LAN-3.2", "ABANDONNEE", "60", "", "", ""],
            ],
            eol="\r\n",
            bom=True,
        ),
        "service_action_report_not_yours.csv": table(
            [A, ["2017", "LAN-3.2", "EN_COURS", "", "", "", ""]]
        ),
        "service_action_report_unknown_action_or_milestone.csv": table(
            [
                A,
                ["2017", "LAN-9.9", "EN_COURS", "", "", "", ""],
                ["2017", "LAN-3.1", "EN_COURS", "", "LAN-3.2-J1", "01/06/2017", ""],
                ["2017", "LAN-3.1", "EN_COURS", "", "LAN-3.1-J9", "01/06/2017", ""],
            ]
        ),
        "service_action_report_unknown_state.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "TERMINEE", "", "", "", ""],
                ["2017", "LAN-3.2", "en cours", "", "", "", ""],
            ]
        ),
        "service_action_report_milestone_dates.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "EN_COURS", "", "LAN-3.1-J1", "31/12/2015", ""],
                ["2017", "LAN-3.1", "EN_COURS", "", "LAN-3.1-J2", "2018-01-02", ""],
                ["2017", "LAN-3.2", "EN_COURS", "", "LAN-3.2-J1", "31/02/2017", ""],
                ["2018", "LAN-3.1", "EN_COURS", "", "LAN-3.1-J1", "", ""],
                ["2018", "LAN-3.2", "EN_COURS", "", "", "12/05/2018", ""],
            ]
        ),
        "service_action_report_share_out_of_range.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "EN_COURS", "120", "", "", ""],
                ["2017", "LAN-3.2", "EN_COURS", "-5", "", "", ""],
                ["2018", "LAN-3.1", "EN_COURS", "100,5", "", "", ""],
            ]
        ),
        "service_action_report_comment_too_long.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "EN_COURS", "", "", "", "é" * 1000],
                ["2017", "LAN-3.2", "EN_COURS", "", "", "", "Réunion " * 126],
            ]
        ),
        "service_action_report_comment_markup_formula.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "EN_COURS", "", "", "", "<script>alert(1)</script>"],
                ["2017", "LAN-3.2", "EN_COURS", "", "", "", '=HYPERLINK("http://x")'],
                ["2018", "LAN-3.1", "EN_COURS", "", "", "", "Voir <a href=x>le bilan</a>"],
                ["2018", "LAN-3.2", "EN_COURS", "", "", "", "@SOMME(A1:A3)"],
            ]
        ),
        "service_action_report_inconsistent_rows.csv": table(
            [
                A,
                [
                    "2017",
                    "LAN-3.1",
                    "EN_COURS",
                    "40",
                    "LAN-3.1-J1",
                    "01/06/2016",
                    "Bilan à mi-parcours",
                ],
                ["2017", "LAN-3.1", "REALISEE", "40", "LAN-3.1-J2", "01/06/2017", ""],
                ["2017", "LAN-3.1", "EN_COURS", "50", "", "", "Un autre commentaire"],
                ["2017", "LAN-3.2", "EN_COURS", "", "", "", "Même texte"],
                ["2017", "LAN-3.2", "EN_COURS", "", "LAN-3.2-J1", "01/06/2017", "Même texte"],
            ]
        ),
        "service_action_report_duplicate_rows.csv": table(
            [
                A,
                ["2017", "LAN-3.1", "EN_COURS", "", "LAN-3.1-J1", "01/06/2016", ""],
                ["2017", "LAN-3.1", "EN_COURS", "", "LAN-3.1-J1", "02/06/2016", ""],
                ["2018", "LAN-3.2", "EN_COURS", "", "", "", ""],
                ["2018", "LAN-3.2", "EN_COURS", "", "", "", ""],
            ]
        ),
    }


def corpus_files() -> dict[str, bytes]:
    from hostile import hostile_files  # beside this file; it builds on the rows above

    parts = [
        accepted_files(),
        refused_files(),
        submission_files(),
        action_report_files(),
        hostile_files(),
    ]
    files = {name: data for part in parts for name, data in part.items()}
    assert len(files) == sum(len(part) for part in parts), "a file name is used twice"
    return dict(sorted(files.items()))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, data in corpus_files().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
    if stale:
        print("Out of date: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
