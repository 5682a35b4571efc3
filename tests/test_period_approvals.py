"""Sign-off steps reach the warehouse: the `period_approvals` asset (real Dagster) writes every
step of the store to raw.period_approvals, and dbt's fct_period_approvals (real dbt, DuckDB) gives
every year of every scheme its state, reviewer, approver and the files missing at approval."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration import approvals, audit, vocabulary
from orchestration.defs.reference.assets import period_approvals, scheme_reference
from tests.conftest import dbt_build

LANDES = "landes-2016-2018"
REVIEWER = audit.Actor("Équipe données", "cli")
COMMITTEE = audit.Actor("Comité de pilotage", "cli")
MISSING = ["UDAF40 beneficiaries 2016", "CAF40 placements 2016"]


def _materialize(warehouse: Path, *assets) -> None:
    result = dg.materialize(
        list(assets), resources={"warehouse": DuckDBResource(database=str(warehouse))}
    )
    assert result.success


def _step(home: Path, step: str, period: str, actor: audit.Actor, **kwargs) -> dict:
    return approvals.record_step(
        home, step, scheme=LANDES, period=period, schemes={LANDES: (2016, 2018)}, actor=actor,
        **kwargs,
    )  # fmt: skip


def test_no_step_file_gives_an_empty_table_with_its_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    warehouse = tmp_path / "warehouse.duckdb"
    _materialize(warehouse, period_approvals)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'period_approvals' "
            "order by ordinal_position"
        ).fetchall()
        rows = con.execute("select count(*) from raw.period_approvals").fetchone()[0]
    assert columns == list(approvals.TABLE_COLUMNS.items())
    assert rows == 0


@pytest.fixture(scope="module")
def mart(tmp_path_factory) -> dict[int, dict]:
    """fct_period_approvals of the Landes after: 2016 reviewed then approved with two files
    missing; 2017 reviewed, approved, unlocked with a reason, then reviewed again by another;
    2018 never reached."""
    home = tmp_path_factory.mktemp("approvals-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("SDSF_HOME", str(home))
    try:
        _step(home, "review", "2016", REVIEWER, comment="écarts expliqués")
        _step(home, "approve", "2016", COMMITTEE, missing=MISSING, comment="validé en séance")
        _step(home, "review", "2017", REVIEWER)
        _step(home, "approve", "2017", COMMITTEE)
        _step(home, "unlock", "2017", COMMITTEE, comment="fichier de la CAF corrigé")
        again = _step(home, "review", "2017", audit.Actor("Relecteur 2", "cli"))
        warehouse = home / "warehouse.duckdb"
        _materialize(warehouse, scheme_reference, period_approvals)
    finally:
        mp.undo()
    result = dbt_build(
        warehouse, home, "+fct_period_approvals dim_schemes stg_approvals__period_approvals"
    )
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        steps = con.execute("select count(*) from raw.period_approvals").fetchone()[0]
        assert steps == 6  # the whole history, not only the last step of each year
        cursor = con.execute(
            "select * from marts.fct_period_approvals where scheme_id = ? order by year", [LANDES]
        )
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        others = con.execute(
            "select count(*), count(*) filter (where approval_state = 'not_reviewed') "
            "from marts.fct_period_approvals where scheme_id <> ?",
            [LANDES],
        ).fetchone()
    assert others[0] > 0 and others[0] == others[1]  # every year of the other schemes
    rows = {r["year"]: r for r in records}
    rows[2017]["expected_reviewer"] = again["who"]
    return rows


def test_every_year_of_the_scheme_has_a_row(mart):
    assert sorted(mart) == [2016, 2017, 2018]
    assert [mart[y]["period"] for y in sorted(mart)] == ["2016", "2017", "2018"]


def test_an_approved_year_keeps_its_reviewer_approver_and_missing_files(mart):
    row = mart[2016]
    assert row["approval_state"] == approvals.APPROVED
    assert row["approval_state_label"] == vocabulary.label("approval_states", "approved")
    assert row["is_approved"]
    assert row["figures_label"] == vocabulary.label("approval_states", "approved")
    assert (row["reviewed_by"], row["approved_by"]) == (REVIEWER.who, COMMITTEE.who)
    assert row["reviewed_at"] <= row["approved_at"]
    assert row["missing_file_count"] == 2
    assert row["missing_files"] == ", ".join(sorted(MISSING))
    assert row["comment"] == "validé en séance"
    assert (row["last_step"], row["steps_recorded"]) == ("approve", 2)


def test_an_unlocked_then_reviewed_year_is_provisional_with_only_its_new_round(mart):
    row = mart[2017]
    assert row["approval_state"] == approvals.REVIEWED
    assert row["approval_state_label"] == vocabulary.label("approval_states", "reviewed")
    assert not row["is_approved"]
    # reviewed figures are still provisional on the site
    assert row["figures_label"] == vocabulary.label("approval_states", "not_reviewed")
    assert row["reviewed_by"] == row["expected_reviewer"]
    assert row["approved_by"] is None and row["approved_at"] is None
    assert row["missing_file_count"] == 0 and row["missing_files"] is None
    assert (row["last_step"], row["steps_recorded"]) == ("review", 4)


def test_a_year_never_reviewed_is_provisional(mart):
    row = mart[2018]
    assert row["approval_state"] == approvals.NOT_REVIEWED
    assert row["figures_label"] == vocabulary.label("approval_states", "not_reviewed")
    assert row["reviewed_by"] is None and row["approved_by"] is None
    assert row["last_step"] is None and row["steps_recorded"] == 0


def test_a_step_changes_the_refresh_fingerprint_whatever_the_folder(tmp_path, monkeypatch):
    """A step calls for a full refresh; a copy of the data directory does not."""
    from orchestration.incremental import inputs_fingerprint

    home, copy = tmp_path / "home", tmp_path / "copy"
    monkeypatch.setenv("SDSF_HOME", str(home))
    before = inputs_fingerprint()
    _step(home, "review", "2016", REVIEWER)
    after = inputs_fingerprint()
    assert after != before
    (copy / "approvals").mkdir(parents=True)
    (copy / "approvals" / "steps.jsonl").write_bytes(approvals.steps_path(home).read_bytes())
    monkeypatch.setenv("SDSF_HOME", str(copy))
    assert inputs_fingerprint() == after
