"""The hostile and messy part of the intake corpus: files as partners' tools and attackers send
them, by family (periods out of range, absurd numbers, text that is not what it seems, headers,
ambiguous numbers, good files that look odd, slow paths, UTF-16). Their receipts are written by
hand in ``expected_hostile.yaml``; ``make_corpus.py`` writes these files with the others.
"""

from __future__ import annotations

import unicodedata

from make_corpus import (
    ATTENDANCE,
    BENEFICIARIES,
    GOOD_ATTENDANCE,
    GOOD_BENEFICIARIES,
    GOOD_PLACEMENTS,
    PLACEMENTS,
    table,
)

P, A, B = PLACEMENTS, ATTENDANCE, BENEFICIARIES


def changed(header: list[str], row: list[str], **cells: str) -> list[str]:
    """``row`` with the cells of the named columns replaced."""
    out = list(row)
    for name, value in cells.items():
        out[header.index(name)] = value
    return out


def place(**cells: str) -> list[str]:
    return changed(P, GOOD_PLACEMENTS[0], **cells)


def hours(**cells: str) -> list[str]:
    return changed(A, GOOD_ATTENDANCE[0], **cells)


def people(**cells: str) -> list[str]:
    return changed(B, GOOD_BENEFICIARIES[0], **cells)


def periods() -> dict[str, bytes]:
    return {
        "refuse_period_year_0000_quarter.csv": table([A, hours(periode="0000-T1")]),
        "refuse_period_year_0000_month_slash.csv": table([P, place(periode="01/0000")]),
        "refuse_period_year_0000.csv": table([B, people(periode="0000")]),
        "refuse_period_year_0000_month_dash.csv": table([P, place(periode="0000-01")]),
        "refuse_period_year_0000_among_good_rows.csv": table(
            [B, *GOOD_BENEFICIARIES[:2], people(periode="0000", code_action="LAN-3.1")]
        ),
        "refuse_period_month_after_9999.csv": table([P, place(periode="12/9999")]),
        "refuse_period_year_9999.csv": table([B, people(periode="9999")]),
        "refuse_period_year_0001.csv": table([P, place(periode="0001")]),
        "refuse_period_month_13.csv": table([P, place(periode="2017-13")]),
        "refuse_period_month_00_slash.csv": table([P, place(periode="00/2017")]),
        "refuse_period_quarter_5.csv": table([A, hours(periode="2017-T5")]),
    }


def numbers() -> dict[str, bytes]:
    return {
        "refuse_places_inf.csv": table([P, place(places="inf")]),
        "refuse_places_infinity.csv": table([P, place(places="Infinity")]),
        "refuse_places_minus_infinity.csv": table([P, place(places="-Infinity")]),
        "refuse_places_1e308.csv": table([P, place(places="1e308")]),
        "refuse_hours_1e18.csv": table([A, hours(heures_theoriques="1E+18")]),
        "refuse_hours_9_3e18_decimal_comma.csv": table([A, hours(heures_facturees="9,3E18")]),
        "refuse_hours_19_digits.csv": table([A, hours(heures_theoriques="9300000000000000000")]),
        "refuse_places_int64_max.csv": table([P, place(places="9223372036854775807")]),
        "refuse_places_1e15_written_out.csv": table([P, place(places="1 000 000 000 000 000")]),
        "refuse_places_above_bound.csv": table([P, place(places="10001", enfants_accueillis="9")]),
        "accept_places_at_bound.csv": table([P, place(places="10000")]),
        "refuse_children_above_bound.csv": table(
            [
                P,
                place(
                    enfants_accueillis="50001", dont_enfants_handicap="", dont_familles_modestes=""
                ),
            ]
        ),
        "refuse_opening_days_400_in_quarter.csv": table([A, hours(jours_ouverture="400")]),
        "refuse_opening_days_91_in_first_quarter.csv": table([A, hours(jours_ouverture="91")]),
        "accept_opening_days_92_in_third_quarter.csv": table(
            [A, hours(periode="2017-T3", jours_ouverture="92")]
        ),
        "refuse_opening_days_32_in_january.csv": table(
            [A, hours(periode="2017-01", jours_ouverture="32")]
        ),
        "accept_opening_days_366_in_leap_year.csv": table(
            [A, hours(periode="2016", jours_ouverture="366")]
        ),
        "refuse_opening_days_366_in_common_year.csv": table(
            [A, hours(periode="2017", jours_ouverture="366")]
        ),
        "refuse_hours_above_bound_for_opening_days.csv": table(
            [
                A,
                hours(
                    heures_theoriques="2400001",
                    heures_realisees="2000",
                    heures_facturees="2000",
                    jours_ouverture="10",
                ),
            ]
        ),
        "accept_hours_at_bound_for_opening_days.csv": table(
            [
                A,
                hours(
                    heures_theoriques="2400000",
                    heures_realisees="2400000",
                    heures_facturees="2400000",
                    jours_ouverture="10",
                ),
            ]
        ),
        "refuse_hours_above_bound_for_period_days.csv": table(
            [A, hours(heures_realisees="21600001", heures_facturees="100", jours_ouverture="")]
        ),
        "refuse_people_above_bound.csv": table(
            [B, people(nombre="10000001", dont_familles_modestes="")]
        ),
        "accept_people_at_bound.csv": table([B, people(nombre="10000000")]),
        "refuse_low_income_people_above_bound.csv": table(
            [B, people(nombre="", dont_familles_modestes="20000000")]
        ),
        "refuse_hours_nan_word_required.csv": table([A, hours(heures_realisees="NaN")]),
        "refuse_places_hexadecimal.csv": table([P, place(places="0x18")]),
        "refuse_places_underscore_digits.csv": table([P, place(places="1_000")]),
        "refuse_hours_two_decimal_marks.csv": table([A, hours(heures_realisees="10.890,5")]),
    }


def texts() -> dict[str, bytes]:
    crèche_nfc = unicodedata.normalize("NFC", "CRÈCHE-40192")
    crèche_nfd = unicodedata.normalize("NFD", "CRÈCHE-40192")
    good = table([P, *GOOD_PLACEMENTS])
    return {
        "refuse_invalid_utf8_after_bom.csv": b"\xef\xbb\xbf"
        + table([P, GOOD_PLACEMENTS[0]])
        + table([place(code_structure="Cr\xe8che-02")], encoding="cp1252"),
        "refuse_mixed_encodings_utf8_then_cp1252.csv": table([P, place(code_structure="Crèche-01")])
        + table([place(code_structure="Crèche-02")], encoding="cp1252"),
        "refuse_mixed_encodings_cp1252_then_utf8.csv": table(
            [P, place(code_structure="Crèche-01")], encoding="cp1252"
        )
        + table([GOOD_PLACEMENTS[1], place(code_structure="Crèche-02")]),
        "refuse_cp1252_undefined_byte.csv": table([P, GOOD_PLACEMENTS[0]])
        + table([place(code_structure="EAJE")])[:-1]
        + b"\x81\n",
        "refuse_nul_byte_deep.csv": table([P, *GOOD_PLACEMENTS * 10])
        + table([place(code_structure="EAJE\x00-01")]),
        "refuse_nul_byte_at_end.csv": good + b"\x00",
        "refuse_utf16_le_without_bom.csv": table(
            [A, *GOOD_ATTENDANCE], sep="\t", eol="\r\n", encoding="utf-16-le"
        ),
        "refuse_utf16_be_without_bom.csv": table(
            [A, *GOOD_ATTENDANCE], sep="\t", eol="\r\n", encoding="utf-16-be"
        ),
        "accept_utf16_unicode_text.csv": "\ufeff".encode("utf-16-le")
        + table([A, *GOOD_ATTENDANCE], sep="\t", eol="\r\n", encoding="utf-16-le"),
        "accept_utf16_be_with_bom.csv": "\ufeff".encode("utf-16-be")
        + table([P, *GOOD_PLACEMENTS], sep="\t", eol="\r\n", encoding="utf-16-be"),
        "refuse_utf16_bom_lone_surrogate.csv": "\ufeff".encode("utf-16-le")
        + table([A, GOOD_ATTENDANCE[0]], sep="\t", encoding="utf-16-le")
        + b"\x00\xd8A\x00\n\x00",
        "refuse_arabic_indic_digits_period.csv": table([B, people(periode="٢٠١٧")]),
        "refuse_fullwidth_digits_period.csv": table([A, hours(periode="２０１７-T1")]),
        "refuse_fullwidth_digits_places.csv": table([P, place(places="２４")]),
        "refuse_arabic_indic_digits_commune.csv": table([P, place(code_commune="٤٠١٩٢")]),
        "refuse_devanagari_digits_count.csv": table([B, people(nombre="४२")]),
        "refuse_structure_code_1000_chars.csv": table(
            [P, GOOD_PLACEMENTS[0], place(code_structure="E" * 1000)]
        ),
        "refuse_structure_code_100000_chars.csv": table(
            [P, GOOD_PLACEMENTS[0], place(code_structure="E" * 100_000)]
        ),
        "accept_structure_code_255_chars.csv": table([P, place(code_structure="E" * 255)]),
        "refuse_nfc_and_nfd_codes_are_one_structure.csv": table(
            [P, place(code_structure=crèche_nfc), place(code_structure=crèche_nfd)]
        ),
        "accept_nfd_code_normalised.csv": table(
            [P, GOOD_PLACEMENTS[1], place(code_structure=crèche_nfd)]
        ),
        "accept_nfc_accented_code.csv": table([P, place(code_structure=crèche_nfc)]),
    }


def headers() -> dict[str, bytes]:
    twice = [*P, "places"]
    return {
        "refuse_column_twice_different_values.csv": table(
            [twice, [*GOOD_PLACEMENTS[0], "25"], [*GOOD_PLACEMENTS[1], "12"]]
        ),
        "refuse_column_twice_same_values.csv": table([twice, [*GOOD_PLACEMENTS[0], "24"]]),
        "refuse_column_twice_other_case.csv": table([[*P, "PLACES"], [*GOOD_PLACEMENTS[0], "24"]]),
        "refuse_column_twice_accented.csv": table(
            [["Période", *A[1:], "periode"], [*GOOD_ATTENDANCE[0], "2017-T2"]]
        ),
        "refuse_french_and_english_period.csv": table(
            [[*B, "period"], [*GOOD_BENEFICIARIES[0], "2018"]]
        ),
        "refuse_french_and_english_children.csv": table(
            [
                [*P[:5], "children_enrolled", *P[5:]],
                [*GOOD_PLACEMENTS[0][:5], "30", *GOOD_PLACEMENTS[0][5:]],
            ]
        ),
        "accept_english_column_names.csv": table(
            [
                [
                    "period",
                    "structure_code",
                    "theoretical_hours",
                    "attended_hours",
                    "billed_hours",
                    "opening_days",
                ],
                *GOOD_ATTENDANCE,
            ]
        ),
        "refuse_personal_data_english_names.csv": table(
            [
                [*B, "First name", "Last name", "Date of birth"],
                [*GOOD_BENEFICIARIES[0], "Jean", "Martin", "2016-02-01"],
            ]
        ),
        "refuse_personal_data_english_contacts.csv": table(
            [
                [*P, "email", "phone_number", "home_address"],
                [*GOOD_PLACEMENTS[0], "a@b.fr", "0600000000", "1 rue X"],
            ]
        ),
        "refuse_personal_data_english_identifiers.csv": table(
            [[*B, "SSN", "surname", "DOB"], [*GOOD_BENEFICIARIES[0], "1", "Martin", "2016"]]
        ),
        "refuse_personal_data_child_name.csv": table(
            [[*A, "child_name"], [*GOOD_ATTENDANCE[0], "Léa"]]
        ),
        "accept_structure_name_in_english.csv": table(
            [
                [*P, "structure_name", "facility_address"],
                [*GOOD_PLACEMENTS[0], "Les Lutins", "1 place de la Mairie"],
            ]
        ),
        "refuse_missing_two_columns.csv": table(
            [
                [c for c in P if c not in {"places", "code_commune"}],
                [
                    v
                    for c, v in zip(P, GOOD_PLACEMENTS[0], strict=True)
                    if c not in {"places", "code_commune"}
                ],
            ]
        ),
        "refuse_missing_public_column.csv": table(
            [
                [c for c in B if c != "public"],
                [v for c, v in zip(B, GOOD_BENEFICIARIES[0], strict=True) if c != "public"],
            ]
        ),
    }


def ambiguous() -> dict[str, bytes]:
    return {
        "refuse_comma_file_unquoted_decimal_comma.csv": table([A, *GOOD_ATTENDANCE], sep=","),
        "refuse_comma_file_two_unquoted_decimal_commas.csv": table(
            [A, hours(heures_theoriques="14520,5")], sep=","
        ),
        "accept_comma_file_quoted_decimal_comma.csv": table(
            [A, *[[f'"{c}"' if "," in c else c for c in r] for r in GOOD_ATTENDANCE]], sep=","
        ),
        "accept_comma_file_decimal_point.csv": table(
            [A, *[[c.replace(",", ".") for c in r] for r in GOOD_ATTENDANCE]], sep=","
        ),
        "refuse_places_thousands_dot.csv": table([P, place(places="1.234")]),
        "refuse_children_thousands_dot.csv": table([P, place(enfants_accueillis="12.500")]),
        "refuse_people_thousands_dot.csv": table([B, people(nombre="1.500")]),
        "refuse_people_several_thousands_dots.csv": table([B, people(nombre="1.234.567")]),
        "accept_hours_decimal_point_three_digits.csv": table(
            [A, hours(heures_realisees="10890.125")]
        ),
        "accept_places_thousands_space.csv": table(
            [P, place(places="1 234", enfants_accueillis="1 500")]
        ),
        "accept_semicolon_file_unnamed_column.csv": table(
            [[*P, ""], [*GOOD_PLACEMENTS[0], "note"], [*GOOD_PLACEMENTS[1], ""]]
        ),
    }


def good_files() -> dict[str, bytes]:
    title = ["Fichier des places - CAF des Landes - 2017", *[""] * 8]
    return {
        "accept_excel_sep_line.csv": table([["sep=;"], P, *GOOD_PLACEMENTS]),
        "accept_excel_sep_line_comma_quoted.csv": table(
            [['"sep=,"'], P, *GOOD_PLACEMENTS], sep=","
        ),
        "accept_excel_sep_line_after_bom_crlf.csv": table(
            [["sep=;"], B, *GOOD_BENEFICIARIES], eol="\r\n", bom=True
        ),
        "accept_excel_sep_tab_line.csv": table([["sep=\t"], A, *GOOD_ATTENDANCE], sep="\t"),
        "accept_title_row_above_header.csv": table([title, P, *GOOD_PLACEMENTS]),
        "accept_title_and_blank_rows_above_header.csv": table(
            [["Heures de fréquentation"], ["Export du 02/01/2018"], [""], A, *GOOD_ATTENDANCE]
        ),
        "accept_sep_line_and_title_row.csv": table([["sep=;"], title, P, *GOOD_PLACEMENTS]),
        "refuse_title_row_then_error.csv": table(
            [title, P, GOOD_PLACEMENTS[0], place(code_structure="X-1", places="douze")]
        ),
        "accept_lowercase_structure_type.csv": table(
            [
                P,
                place(type_structure="eaje_collectif"),
                changed(P, GOOD_PLACEMENTS[1], type_structure="Mam"),
            ]
        ),
        "accept_lowercase_public.csv": table(
            [B, people(public="familles"), changed(B, GOOD_BENEFICIARIES[1], public="Enfants")]
        ),
        "refuse_lowercase_unknown_structure_type.csv": table([P, place(type_structure="creche")]),
        "accept_dash_as_empty_optional.csv": table(
            [
                P,
                place(
                    dont_enfants_handicap="-", dont_familles_modestes="–", horaires_atypiques="-"
                ),
            ]
        ),
        "accept_dash_as_empty_opening_days.csv": table([A, hours(jours_ouverture="—")]),
        "accept_dash_as_empty_beneficiaries.csv": table(
            [B, people(dont_familles_modestes="-"), GOOD_BENEFICIARIES[1]]
        ),
        "refuse_dash_in_required_column.csv": table([P, place(places="-")]),
        "accept_double_dash_inside_structure_code.csv": table(
            [
                P,
                place(code_structure="EAJE--40192--01"),
                changed(P, GOOD_PLACEMENTS[1], code_structure="MAM -- Les Lutins"),
            ]
        ),
        "accept_double_dash_remark_structure_code.csv": table(
            [P, place(code_structure="-- site des Lutins")]
        ),
        "refuse_dash_then_formula.csv": table([P, place(code_structure="-- 1+cmd|' /C calc'!A0")]),
        "refuse_dash_then_letters_formula.csv": table([P, place(code_structure="-A1")]),
    }


def slow_paths() -> dict[str, bytes]:
    wide = [*P, *[f"extra_{i}" for i in range(600 - len(P))]]
    return {
        "refuse_line_of_70_kb.csv": table([P, GOOD_PLACEMENTS[0], ["x" * 70_000]]),
        "refuse_header_line_of_70_kb.csv": table([[*P, "y" * 70_000], GOOD_PLACEMENTS[0]]),
        "refuse_line_of_70_kb_cr_only.csv": table(
            [P, GOOD_PLACEMENTS[0], GOOD_PLACEMENTS[1], ["x" * 70_000]], eol="\r"
        ),
        "refuse_header_of_600_columns.csv": table([wide, GOOD_PLACEMENTS[0]]),
        "refuse_row_of_600_cells.csv": table(
            [P, GOOD_PLACEMENTS[0], [*GOOD_PLACEMENTS[1], *[""] * 591]]
        ),
        "refuse_every_row_wrong.csv": table(
            [P, *[place(code_structure=f"S-{i}", places="x") for i in range(3000)]]
        ),
        "refuse_every_row_wrong_twice.csv": table(
            [
                B,
                *[
                    people(code_territoire=f"{i:05d}", nombre="x", dont_familles_modestes="y")
                    for i in range(1500)
                ],
            ]
        ),
    }


def hostile_files() -> dict[str, bytes]:
    families = [periods(), numbers(), texts(), headers(), ambiguous(), good_files(), slow_paths()]
    files = {name: data for family in families for name, data in family.items()}
    assert len(files) == sum(len(f) for f in families), "a file name is used twice"
    return files
