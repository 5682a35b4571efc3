"""The blocking contract checks catch a raw row that breaks its contract."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from orchestration.defs.intake.checks import contract_checks, rejected_submissions
from orchestration.intake.loading import ensure_raw_tables

ROW = {
    "submission_id": "CAF40-placements-x",
    "partner_code": "CAF40",
    "received_at": datetime(2018, 3, 1),
    "line": 2,
    "period": "2017",
    "structure_code": "EAJE-1",
    "structure_type": "EAJE_COLLECTIF",
    "commune_code": "40192",
    "places": 24,
    "children_enrolled": 30,
    "children_disabled": 1,
    "children_low_income": 6,
    "atypical_hours": False,
    "period_type": "year",
    "period_year": 2017,
    "period_start": datetime(2017, 1, 1),
    "period_end": datetime(2017, 12, 31),
}


def _warehouse(tmp_path, rows) -> DuckDBResource:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    ensure_raw_tables(con)
    frame = pd.DataFrame(rows)
    con.register("incoming", frame)
    con.execute("insert into raw.placements by name select * from incoming")
    con.execute(
        "insert into raw.submissions (submission_id, partner_code, kind, sha256, received_at,"
        " status) values ('ASSO-b-1', 'ASSO', 'beneficiaries', 'x', '2018-01-01', 'rejetee')"
    )
    con.close()
    return DuckDBResource(database=str(path))


def _placements_check():
    [check] = [c for c in contract_checks if "placements" in str(list(c.check_keys)[0])]
    return check


def test_contract_check_passes_on_valid_rows(tmp_path):
    result = _placements_check()(warehouse=_warehouse(tmp_path, [ROW]))
    assert result.passed
    assert result.metadata["rows_checked"].value == 1


def test_contract_check_fails_and_shows_the_failure_on_a_bad_row(tmp_path):
    bad = {**ROW, "structure_code": "EAJE-2", "places": -4, "children_disabled": 99}
    result = _placements_check()(warehouse=_warehouse(tmp_path, [ROW, bad]))
    assert not result.passed
    assert result.metadata["failures"].value >= 2
    table = result.metadata["failure_cases"].value
    assert "greater_than_or_equal_to" in table and "within_total" in table


def test_rejected_submissions_are_a_warning_listing_them(tmp_path):
    result = rejected_submissions(warehouse=_warehouse(tmp_path, [ROW]))
    assert not result.passed
    assert result.severity.value == "WARN"
    assert "ASSO-b-1" in result.metadata["files"].value


def test_two_partners_may_send_rows_with_the_same_key(tmp_path):
    # Each partner's latest files are checked against the contract apart: the CD and the CAF
    # may both declare the same structure in their files.
    other = {**ROW, "submission_id": "CD40-placements-y", "partner_code": "CD40"}
    result = _placements_check()(warehouse=_warehouse(tmp_path, [ROW, other]))
    assert result.passed
    assert result.metadata["rows_checked"].value == 2


def test_one_partner_sending_a_key_twice_fails(tmp_path):
    result = _placements_check()(warehouse=_warehouse(tmp_path, [ROW, {**ROW, "line": 3}]))
    assert not result.passed
    assert "CAF40" in result.metadata["failure_cases"].value
