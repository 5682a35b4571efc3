"""Correctness at scale: a 200,000-row file gives exactly the mistakes planted in it.

Large files take the vectorised route (byte splitting, distinct values, slices of rows), so a
mistake on row 150,000 must come out with the same spreadsheet line, column, value and rule as
it would in a ten-line file, whatever the dialect the partner's software wrote.
"""

from __future__ import annotations

from datetime import date

import pytest

from models import CONTRACTS
from models.common import french_names
from orchestration.intake.validation import ReferenceData, validate_bytes

ROWS = 200_000
PADDED = "commune_code_padded"
BLANK_AFTER = 100_000  # a blank line follows this row: later rows sit one line further down
# the contract's French names, in the template's order
HEADER = list(french_names(CONTRACTS["placements"]).values())
TYPES = ["EAJE_COLLECTIF", "MICRO_CRECHE", "ASSISTANT_MATERNEL", "PRESCOLARISATION", "ALSH"]
COMMUNES = [f"40{n:03d}" for n in range(1, 330)]
REFERENCE = ReferenceData(
    commune_codes=frozenset([*COMMUNES, "01004"]),
    years=(2015, 2019),
    today=date(2020, 1, 1),
    max_bytes=10**9,
)


def clean_row(i: int) -> list[str]:
    places = 10 + i % 50
    enrolled = places + i % 7
    return [
        "2017",
        f"S{i:06d}",
        TYPES[i % len(TYPES)],
        COMMUNES[i % len(COMMUNES)],
        str(places),
        str(enrolled),
        str(i % 2),
        str(i % 5),
        "oui" if i % 11 == 0 else "non",
    ]


def line_of(i: int) -> int:
    """Spreadsheet line of row ``i``: the header is line 1, the blank line counts."""
    return i + 2 + (i > BLANK_AFTER)


# row -> (column, planted text, expected rule, expected value); None: a warning, not an error.
PLANTED = {
    1_234: ("places", "=1+1", "formula_injection", "=1+1"),
    40_000: ("enfants_accueillis", "douze", "number_format", "douze"),
    65_537: ("places", "-4", "non_negative", "-4"),
    99_999: ("places", "12,5", "whole_number", "12.5"),
    120_000: ("type_structure", "CRECHE", "allowed_values", "CRECHE"),
    150_001: ("code_commune", "99999", "unknown_commune", "99999"),
    160_000: ("dont_enfants_handicap", "500", "within_total", "500"),
    170_000: ("periode", "2017-T5", "format", "2017-T5"),
    180_000: ("periode", "2031", "period_in_future", "2031"),
    190_000: ("code_structure", "S000005", "duplicate_key", "2017 / S000005"),
    195_000: ("code_commune", "1004", None, "1004"),
}


def planted_file(delimiter: str, line_end: str, encoding: str, quoted: bool) -> bytes:
    def cell(text: str) -> str:
        return f'"{text}"' if quoted else text

    lines = [delimiter.join(cell(h) for h in HEADER)]
    for i in range(ROWS):
        row = clean_row(i)
        if i in PLANTED:
            column, text, _, _ = PLANTED[i]
            row[HEADER.index(column)] = text
        lines.append(delimiter.join(cell(c) for c in row))
        if i == BLANK_AFTER:
            lines.append("")
    lines += ["", ""]  # trailing blank lines, as spreadsheets export them
    return line_end.join(lines).encode(encoding)


def expected_errors() -> list[tuple[int, str, str, str]]:
    found = []
    for i, (column, _, rule, value) in PLANTED.items():
        if rule == "duplicate_key":
            key = "periode, code_structure"
            found += [(line_of(5), key, rule, value), (line_of(i), key, rule, value)]
        elif rule:
            found.append((line_of(i), column, rule, value))
    return sorted(found, key=lambda e: (e[0], e[1]))


DIALECTS = [
    pytest.param(";", "\r\n", "utf-8", False, id="semicolon-crlf-utf8"),
    pytest.param(",", "\n", "cp1252", True, id="comma-lf-cp1252-quoted"),
    pytest.param("\t", "\n", "utf-8-sig", False, id="tab-lf-bom"),
]


@pytest.mark.parametrize(("delimiter", "line_end", "encoding", "quoted"), DIALECTS)
def test_planted_mistakes_come_out_on_their_lines(delimiter, line_end, encoding, quoted):
    data = planted_file(delimiter, line_end, encoding, quoted)
    receipt = validate_bytes(data, "placements", reference=REFERENCE).receipt

    assert receipt.rows == ROWS
    assert [(e.line, e.column, e.rule, e.value) for e in receipt.errors] == expected_errors()
    [padded] = receipt.warnings
    assert (padded.line, padded.rule, padded.value) == (line_of(195_000), PADDED, "1004")
    within = next(e for e in receipt.errors if e.rule == "within_total")
    assert "500" in within.message and str(10 + 160_000 % 50 + 160_000 % 7) in within.message


def test_a_clean_large_file_loads_every_row_with_its_line():
    lines = [";".join(HEADER)]
    for i in range(ROWS):
        lines.append(";".join(clean_row(i)))
        if i == BLANK_AFTER:
            lines.append(" ; ;")  # a row of spaces and separators is blank too
    result = validate_bytes("\r\n".join(lines).encode(), "placements", reference=REFERENCE)

    assert result.receipt.accepted, result.receipt.to_text()[:2000]
    frame = result.frame
    assert len(frame) == ROWS and result.receipt.periods == ["2017"]
    assert frame["line"].tolist() == [line_of(i) for i in range(ROWS)]
    assert frame["structure_code"].tolist() == [f"S{i:06d}" for i in range(ROWS)]
    assert frame["places"].sum() == sum(10 + i % 50 for i in range(ROWS))
    assert frame.loc[BLANK_AFTER + 1, "commune_code"] == COMMUNES[(BLANK_AFTER + 1) % len(COMMUNES)]
    assert (frame["atypical_hours"] == "oui").sum() == len(range(0, ROWS, 11))
