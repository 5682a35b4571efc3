"""Validation of partner files as they really come: dialects accepted, mistakes explained."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.intake.validation import ReferenceData, validate_bytes

HEADER = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis;"
    "dont_enfants_handicap;dont_familles_modestes;horaires_atypiques"
)
GOOD_ROW = "2017;EAJE-1;EAJE_COLLECTIF;40192;24;30;1;6;non"
REF = ReferenceData(
    commune_codes=frozenset({"40192", "01004"}),
    action_codes=frozenset({"LAN-3.2"}),
    years=(2015, 2019),
    today=date(2020, 1, 1),
)


def check(text: str | bytes, kind: str = "placements", reference: ReferenceData = REF):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return validate_bytes(data, kind, reference=reference, file_name="f.csv").receipt


def rules(receipt) -> list[tuple[int | None, str | None, str]]:
    return [(e.line, e.column, e.rule) for e in receipt.errors]


def test_clean_file_is_accepted_with_row_count():
    receipt = check(f"{HEADER}\n{GOOD_ROW}\n")
    assert receipt.accepted and receipt.rows == 1 and not receipt.warnings


@pytest.mark.parametrize(
    "data",
    [
        f"\ufeff{HEADER}\r\n{GOOD_ROW}\r\n".encode(),
        f"{HEADER}\n{GOOD_ROW}\n".replace(";", "\t").encode(),
        f"{HEADER}\n{GOOD_ROW}\n".replace(";", ",").encode(),
        f"{HEADER.replace('periode', 'Période')}\n{GOOD_ROW}\n".encode("cp1252"),
        f"{HEADER.upper().replace('_', ' ')}\n{GOOD_ROW}\n\n\n".encode(),
        f"{HEADER};;\n{GOOD_ROW};;\n".encode(),
    ],
    ids=["utf8-bom-crlf", "tab", "comma", "cp1252-accents", "upper-spaced-blank-lines", "trailing"],
)
def test_dialects_partners_send_are_accepted(data):
    receipt = check(data)
    assert receipt.accepted, receipt.to_text()


def test_decimal_comma_and_thousands_space_are_read():
    text = (
        "periode;code_structure;heures_theoriques;heures_realisees;heures_facturees\n"
        "2017-T1;EAJE-1;14\u00a0520;10\u00a0890,5;11 760,25\n"
    )
    result = validate_bytes(text.encode(), "attendance", reference=REF)
    assert result.receipt.accepted, result.receipt.to_text()
    assert result.frame.loc[0, "attended_hours"] == pytest.approx(10890.5)
    assert result.frame.loc[0, "period"] == "2017-T1"


def test_four_digit_commune_code_is_padded_with_a_warning():
    result = validate_bytes(
        f"{HEADER}\n2017;EAJE-1;EAJE_COLLECTIF;1004;24;30;1;6;non\n".encode(),
        "placements",
        reference=REF,
    )
    assert result.receipt.accepted
    assert result.frame.loc[0, "commune_code"] == "01004"
    [warning] = result.receipt.warnings
    assert (warning.line, warning.rule) == (2, "commune_code_padded")


def test_dont_above_total_names_line_column_and_values():
    receipt = check(f"{HEADER}\n{GOOD_ROW}\n2017;EAJE-2;EAJE_COLLECTIF;40192;24;30;31;6;non\n")
    assert rules(receipt) == [(3, "dont_enfants_handicap", "within_total")]
    assert "31" in receipt.errors[0].message and "30" in receipt.errors[0].message


def test_each_mistake_is_reported_on_its_spreadsheet_line():
    receipt = check(
        f"{HEADER}\n"
        "2017;A;EAJE_COLLECTIF;40192;12,5;30;1;6;non\n"  # line 2: places not whole
        "2017;B;CRECHE;40192;10;10;0;0;non\n"  # line 3: unknown type
        "2017;C;EAJE_COLLECTIF;99999;10;10;0;0;non\n"  # line 4: unknown commune
        "2017;D;EAJE_COLLECTIF;40192;-3;10;0;0;non\n"  # line 5: negative
        "2017-T7;E;EAJE_COLLECTIF;40192;3;10;0;0;non\n"  # line 6: bad period
        "2017;F;EAJE_COLLECTIF;40192;=2+1;10;0;0;non\n"  # line 7: formula
        "2017;A;EAJE_COLLECTIF;40192;12;30;1;6;non\n"  # line 8: duplicate of line 2's key
    )
    assert rules(receipt) == [
        (2, "periode, code_structure", "duplicate_key"),
        (2, "places", "whole_number"),
        (3, "type_structure", "allowed_values"),
        (4, "code_commune", "unknown_commune"),
        (5, "places", "non_negative"),
        (6, "periode", "format"),
        (7, "places", "formula_injection"),
        (8, "periode, code_structure", "duplicate_key"),
    ]


def test_future_and_out_of_scheme_periods_are_refused():
    receipt = check(
        f"{HEADER}\n2021;A;EAJE_COLLECTIF;40192;1;1;0;0;non\n2012;B;EAJE_COLLECTIF;40192;1;1;0;0;non\n"
    )
    assert [r for _, _, r in rules(receipt)] == ["period_in_future", "period_outside_scheme"]


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "empty_file"),
        (HEADER.encode() + b"\n", "header_only"),
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-a-zip", "not_csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old-excel", "not_csv"),
    ],
)
def test_files_that_are_not_tables_are_refused_clearly(data, rule):
    receipt = check(data)
    assert [e.rule for e in receipt.errors] == [rule]
    assert receipt.errors[0].message


def test_wrong_kind_says_which_columns_miss_and_what_the_file_looks_like():
    text = (
        "periode;code_structure;heures_theoriques;heures_realisees;heures_facturees\n2017;A;1;1;1\n"
    )
    errors = check(text, "placements").errors
    assert [(e.line, e.column, e.rule) for e in errors] == [
        (1, name, "missing_columns")
        for name in ("type_structure", "code_commune", "places", "enfants_accueillis")
    ]
    assert all("« attendance »" in e.message for e in errors)


def test_personal_data_columns_are_refused():
    receipt = check(f"{HEADER};nom_enfant;date_naissance\n{GOOD_ROW};Dupont;01/02/2016\n")
    assert [(e.column, e.rule) for e in receipt.errors] == [
        ("nom_enfant", "personal_data"),
        ("date_naissance", "personal_data"),
    ]


def test_size_limit_is_enforced():
    small = ReferenceData(max_bytes=100)
    receipt = check(f"{HEADER}\n{GOOD_ROW}\n", reference=small)
    assert [e.rule for e in receipt.errors] == ["file_too_large"]


def test_receipt_json_has_the_documented_shape():
    payload = check(f"{HEADER}\n2017;A;EAJE_COLLECTIF;40192;x;1;0;0;non\n").to_dict()
    assert set(payload) == {"accepted", "kind", "rows", "errors", "warnings"}
    [error] = payload["errors"]
    assert error == {
        "line": 2,
        "column": "places",
        "value": "x",
        "rule": "number_format",
        "message": error["message"],
    }


def test_implausible_hours_are_warnings_not_errors():
    text = (
        "periode;code_structure;heures_theoriques;heures_realisees;heures_facturees\n"
        "2017-T1;EAJE-1;1000;800;900\n"  # plausible
        "2017-T1;EAJE-2;1000;800;1000\n"  # billed 125 % of attended
        "2017-T1;EAJE-3;1000;1100;1100\n"  # attended above capacity
    )
    receipt = validate_bytes(text.encode(), "attendance", reference=REF).receipt
    assert receipt.accepted
    assert [(w.line, w.column, w.rule) for w in receipt.warnings] == [
        (3, "heures_facturees", "billing_above_120_percent"),
        (4, "heures_realisees", "attended_above_capacity"),
    ]


def test_thousands_of_doubles_are_counted_past_the_listed_ones():
    # Every structure written twice: 6,000 doubles, each one an error; the receipt lists the
    # first ones in line order and counts the others, as it does for any other mistake.
    pairs = "".join(f"2017;S-{i // 2};EAJE_COLLECTIF;40192;10;10;0;0;non\n" for i in range(6_000))
    receipt = check(f"{HEADER}\n{pairs}")
    doubles = [e for e in receipt.errors if e.rule == "duplicate_key"]
    assert len(doubles) + receipt.errors_not_listed == 6_000
    assert receipt.errors_not_listed > 0
    assert [e.line for e in doubles[:3]] == [2, 3, 4]
    assert doubles[0].value == "2017 / S-0"


def test_thousands_of_padded_communes_are_counted_past_the_listed_warnings():
    rows = "".join(f"2017;S-{i};EAJE_COLLECTIF;1004;10;10;0;0;non\n" for i in range(6_000))
    receipt = check(f"{HEADER}\n{rows}")
    assert receipt.accepted
    padded = [w for w in receipt.warnings if w.rule == "commune_code_padded"]
    assert len(padded) + receipt.warnings_not_listed == 6_000
    assert receipt.warnings_not_listed > 0
    assert (padded[0].line, padded[0].value) == (2, "1004")
