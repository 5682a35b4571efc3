"""Exports: CSV for French Excel and xlsx workbooks per scheme, read back without xlsxwriter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from orchestration.exports import csv_cell, neutralise, write_exports, write_workbook


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (float("nan"), ""),
        (3.25, "3,25"),
        (12.0, "12"),
        (-1.5, "-1,5"),
        (7, "7"),
        (True, "oui"),
        (dt.date(2018, 3, 1), "01/03/2018"),
        (dt.datetime(2018, 3, 1, 9, 5, 0), "01/03/2018 09:05:00"),
        (["40", "64"], "40, 64"),
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+33", "'+33"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Mont-de-Marsan", "Mont-de-Marsan"),
    ],
)
def test_csv_cells_follow_french_excel(value, expected):
    assert csv_cell(value) == expected


def _sheet_strings(xlsx: Path) -> tuple[list[str], dict[str, str]]:
    with zipfile.ZipFile(xlsx) as z:
        shared = re.findall(r"<t[^>]*>(.*?)</t>", z.read("xl/sharedStrings.xml").decode())
        workbook = z.read("xl/workbook.xml").decode()
        sheets = {
            n: z.read(f"xl/worksheets/sheet{i}.xml").decode()
            for i, n in enumerate(re.findall(r'<sheet name="([^"]+)"', workbook), start=1)
        }
    return shared, sheets


def test_workbook_neutralises_formulas_and_writes_no_formula(tmp_path):
    tables = {"dim_test": (["code", "label", "value"], [("A", "=1+1", 2.5), ("B", "@x", None)])}
    manifest = {
        "edition": "t",
        "built_at": "2018-01-01T00:00:00+00:00",
        "secrecy": {"threshold": 11},
    }
    path = tmp_path / "t.xlsx"
    write_workbook(path, tables, manifest)
    shared, sheets = _sheet_strings(path)
    assert list(sheets) == ["LISEZMOI", "dim_test"]
    assert "'=1+1" in shared and "'@x" in shared and "=1+1" not in shared
    assert all("<f>" not in xml for xml in sheets.values())
    assert "<v>2.5</v>" in sheets["dim_test"]


@pytest.fixture(scope="module")
def edition(demo_home):
    from orchestration.editions import ROLLING_EDITION

    path = demo_home / "editions" / ROLLING_EDITION
    assert (path / "manifest.json").is_file()
    return path


def test_edition_csv_has_bom_semicolons_decimal_commas_and_secret_cells(edition):
    path = edition / "exports" / "landes-2016-2018" / "csv" / "fct_indicator_values.csv"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows and "secrecy_note" in rows[0]
    decimals = [r["value"] for r in rows if "," in r["value"]]
    assert decimals and all("." not in r["value"] for r in rows)
    secret = [r for r in rows if r["secrecy_note"] == "secret statistique"]
    assert secret and all(r["value"] == "" for r in secret if r["secret_value"] == "oui")
    completeness = list(
        csv.DictReader(
            io.StringIO(
                (
                    edition / "exports" / "commun" / "csv" / "fct_submission_completeness.csv"
                ).read_text(encoding="utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["period_end"]) for r in completeness)


def test_edition_workbooks_have_a_french_readme_and_a_sheet_per_mart(edition):
    from orchestration.publication import PUBLISHED_MARTS

    workbooks = sorted((edition / "exports").glob("*/*.xlsx"))
    assert {p.name for p in workbooks} >= {"landes-2016-2018.xlsx", "commun.xlsx"}
    sheets_of = {}
    for xlsx in workbooks:
        shared, sheets = _sheet_strings(xlsx)
        assert list(sheets)[0] == "LISEZMOI"
        assert "Secret statistique" in shared
        sheets_of[xlsx.stem] = set(sheets)
    # Each scheme's workbook has the tables with a scheme; commun, the others: all of them.
    assert {"fct_indicator_values", "revisions"} <= sheets_of["landes-2016-2018"]
    assert "dim_partners" in sheets_of["commun"] - sheets_of["landes-2016-2018"]
    assert (
        set(PUBLISHED_MARTS) | {"revisions"} <= sheets_of["landes-2016-2018"] | sheets_of["commun"]
    )
    shared, _ = _sheet_strings(edition / "exports" / "landes-2016-2018" / "landes-2016-2018.xlsx")
    assert "landes-2016-2018" in shared


def test_write_exports_returns_every_file(edition, tmp_path):
    import shutil

    copy = tmp_path / "ed"
    shutil.copytree(edition, copy, ignore=shutil.ignore_patterns("exports"))
    manifest = {"edition": "copie", "built_at": "2018-01-01T00:00:00+00:00", "secrecy": {}}
    written = write_exports(copy, manifest)
    names = {str(p.relative_to(copy / "exports")) for p in written}
    assert {"landes-2016-2018/csv/fct_indicator_values.csv", "commun/commun.xlsx"} <= names
    assert neutralise("-x") == "'-x"
