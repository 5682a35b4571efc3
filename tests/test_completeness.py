"""Submission completeness in the warehouse: raw tables, the real calendar asset, real dbt.

Two kinds of test. The calendar cases (tests/calendar_cases.yaml, also run against the Python
module and the portal) each get a warehouse of their own: the raw tables of the case, the
`submission_calendar` asset materialized by Dagster on the case's day, dbt, and the mart's
statuses read back. A broader scenario (several partners, kinds and cadences, overlapping
schemes, revisions, files after the as-of date) is built through `dbt build` with the marts'
tests, and each mart row is checked against the calendar module's own answer and named facts.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration import calendar, vocabulary
from orchestration.defs.calendar.assets import submission_calendar
from orchestration.intake.loading import ensure_raw_tables
from orchestration.schemes import TABLE_COLUMNS
from orchestration.warehouse import replace_tables
from tests.calendar_cases import CASES, DEPARTEMENT, KIND, PARTNER
from tests.conftest import dbt_build, run_dbt

AS_OF = date(2020, 1, 15)

PARTNERS = [
    # code, name, type, départements
    ("CAF40", "Caisse d'allocations familiales des Landes", "caf", ["40"]),
    ("MSA_X", "MSA exemple", "msa", ["64", "40"]),
    ("ETAT40", "Préfecture des Landes", "etat", ["40"]),
    ("CAF91", "Caisse d'allocations familiales de l'Essonne", "caf", ["91"]),
    ("ASSO99", "Association sans schéma", "association", ["99"]),
]
REGISTRY = [
    # partner, kind, cadence, deadline_days
    ("CAF40", "placements", "year", 90),
    ("CAF40", "attendance", "quarter", 45),
    ("MSA_X", "beneficiaries", "year", 60),
    ("CAF91", "attendance", "month", 30),
    ("ASSO99", "beneficiaries", "year", 90),
]
SCHEMES = [
    # id, kind, département, start year, end year
    ("landes", "sdsf", "40", 2018, 2019),
    ("charte", "charte_msa", "40", 2019, 2020),  # overlaps: 2019 is expected once
    ("essonne", "sdsf", "91", 2019, 2019),
]
ACTIONS = [
    # scheme, action, pilot
    ("landes", "1.1", "CAF40"),
    ("landes", "1.2", "CAF40"),
    ("charte", "A", "MSA_X"),
    ("essonne", "2.1", None),
]
SUBMISSIONS = [
    # id, partner, kind, received at, status, periods
    ("p2018", "CAF40", "placements", "2019-03-31 18:00", "acceptee", ["2018"]),  # deadline day
    ("p2018b", "CAF40", "placements", "2019-06-01 09:00", "acceptee", ["2018"]),  # a revision
    ("p2019r", "CAF40", "placements", "2020-01-02 09:00", "rejetee", ["2019"]),
    ("p2019", "CAF40", "placements", "2020-01-10 09:00", "acceptee", ["2019"]),  # before deadline
    ("p2017", "CAF40", "placements", "2018-02-01 09:00", "acceptee", ["2017"]),  # no scheme then
    ("a18q1", "CAF40", "attendance", "2018-05-16 09:00", "acceptee", ["2018-T1"]),  # 1 day late
    (
        "a18q2",
        "CAF40",
        "attendance",
        "2018-07-20 09:00",
        "acceptee",
        ["2018-04", "2018-05", "2018-06"],
    ),
    ("a18q3", "CAF40", "attendance", "2018-10-20 09:00", "acceptee", ["2018-07", "2018-08"]),
    ("a18y", "CAF40", "attendance", "2019-01-20 09:00", "acceptee", ["2018"]),  # too coarse
    ("a19", "CAF40", "attendance", "2019-05-01 09:00", "acceptee", ["2019-T1", "2019-T2"]),
    ("a19bad", "CAF40", "attendance", "2019-06-01 09:00", "rejetee", []),  # periods unread
    ("a19q4", "CAF40", "attendance", "2020-02-01 09:00", "acceptee", ["2019-T4"]),  # after as_of
    (
        "m2018",
        "MSA_X",
        "beneficiaries",
        "2019-02-10 09:00",
        "acceptee",
        ["2018-T1", "2018-T2", "2018-T3", "2018-T4"],
    ),
    ("m2019", "MSA_X", "beneficiaries", "2019-12-20 09:00", "acceptee", ["2019"]),  # early
    ("c1901", "CAF91", "attendance", "2019-02-28 09:00", "acceptee", ["2019-01"]),
    ("c1902", "CAF91", "attendance", "2019-04-15 09:00", "rejetee", ["2019-02"]),
    ("c1902b", "CAF91", "attendance", "2019-04-20 09:00", "acceptee", ["2019-02"]),
    ("c1906", "CAF91", "attendance", "2019-06-10 09:00", "acceptee", ["2019-06"]),
    ("x", "ETAT40", "placements", "2019-06-10 09:00", "acceptee", ["2018"]),  # not expected
]
# The French names the marts give the registry's codes: the vocabulary's labels.
CADENCE_FR = vocabulary.labels("granularities")
KIND_FR = vocabulary.labels("submission_kinds")


# --------------------------------------------------------------------------- the warehouse


def _create(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    columns = TABLE_COLUMNS[table]
    ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
    con.execute(f"create table raw.{table} ({ddl})")
    if rows:
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"insert into raw.{table} ({', '.join(columns)}) values ({marks})", rows)


def _received(text: str) -> datetime:
    return datetime.fromisoformat(text)


def build_warehouse(path: Path, partners, registry, schemes, actions, submissions) -> None:
    """Raw tables as the reference and intake assets write them, from plain lists."""
    con = duckdb.connect(str(path))
    ensure_raw_tables(con)  # raw.submissions exactly as the intake creates it
    rows = [
        {"scheme_id": i, "kind": k, "title": i, "departement_code": d, "start_year": a,
         "end_year": b}
        for i, k, d, a, b in schemes
    ]  # fmt: skip
    # Columns the rows leave out (months, source note) stay null.
    _create(con, "schemes", [tuple(r.get(n) for n in TABLE_COLUMNS["schemes"]) for r in rows])
    _create(
        con,
        "actions",
        [(s, a, "1", f"Action {a}", pilot, i) for i, (s, a, pilot) in enumerate(actions, 1)],
    )
    _create(con, "partners", [(code, name, kind) for code, name, kind, _ in partners])
    _create(
        con, "partner_departements", [(code, dep) for code, _, _, deps in partners for dep in deps]
    )
    _create(con, "partner_submissions", registry)
    replace_tables(
        con,
        {"vocabulary": vocabulary.vocabulary_table()},
        column_types={"vocabulary": vocabulary.TABLE_COLUMNS},
    )
    con.executemany(
        "insert into raw.submissions (submission_id, partner_code, kind, file_name, sha256,"
        " received_at, status, rows_read, error_count, warning_count, periods)"
        " values (?, ?, ?, ?, ?, ?, ?, 1, 0, 0, ?)",
        [
            (sid, partner, kind, f"{sid}.csv", sid, at, status, periods)
            for sid, partner, kind, at, status, periods in submissions
        ],
    )
    con.close()


def materialize_calendar(warehouse: Path, as_of: date) -> None:
    """The real calendar asset, run by Dagster on ``as_of``."""
    result = dg.materialize(
        [submission_calendar],
        resources={"warehouse": DuckDBResource(database=str(warehouse))},
        run_config={"ops": {"submission_calendar": {"config": {"as_of_date": as_of.isoformat()}}}},
    )
    assert result.success


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --------------------------------------------------------------------------- the cases table


@pytest.fixture(scope="module")
def case_work(tmp_path_factory) -> Path:
    """One folder for every case: the same warehouse path and dbt target, so that dbt parses
    the project once (partial parsing) instead of once per case."""
    return tmp_path_factory.mktemp("calendar-cases")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_calendar_case_in_the_warehouse(case, case_work):
    warehouse = case_work / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    build_warehouse(
        warehouse,
        partners=[(PARTNER, "Partenaire", "caf", [DEPARTEMENT])],
        registry=[(PARTNER, KIND, case.cadence, case.deadline_days)],
        schemes=[(f"s{y}", "sdsf", DEPARTEMENT, y, y) for y in case.years],
        actions=[],
        submissions=[
            (
                f.submission_id,
                PARTNER,
                KIND,
                f.received_at,
                "acceptee" if f.accepted else "rejetee",
                list(f.periods),
            )
            for f in case.calendar_files()
        ],  # fmt: skip
    )
    materialize_calendar(warehouse, case.today)
    result = run_dbt("run", warehouse, case_work, "+fct_submission_completeness")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = _rows(con, "select period, status, status_label, as_of_date"
                          " from marts.fct_submission_completeness")  # fmt: skip
    assert {r["period"]: r["status"] for r in rows} == case.expected
    for r in rows:
        assert r["status_label"] == vocabulary.label("completeness_statuses", r["status"])
        assert r["as_of_date"] == case.today


# --------------------------------------------------------------------------- the scenario


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    work = tmp_path_factory.mktemp("completeness")
    warehouse = work / "warehouse.duckdb"
    submissions = [(sid, p, k, _received(at), st, per) for sid, p, k, at, st, per in SUBMISSIONS]
    build_warehouse(warehouse, PARTNERS, REGISTRY, SCHEMES, ACTIONS, submissions)
    materialize_calendar(warehouse, AS_OF)
    result = dbt_build(
        warehouse,
        work,
        "+fct_submission_completeness +fct_submission_timeliness +dim_partners",
        # Only tests whose parents are all built here: the scheme models' other tests (axes,
        # indicators...) need tables this warehouse deliberately lacks.
        indirect_selection="buildable",
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def scenario_assessments() -> list[calendar.Assessment]:
    """The calendar module's answer for the scenario, from the same lists."""
    years = {
        code: calendar.scheme_years(deps, [(d, a, b) for _, _, d, a, b in SCHEMES])
        for code, _, _, deps in PARTNERS
    }
    files: dict = {}
    for sid, partner, kind, at, status, periods in SUBMISSIONS:
        files.setdefault((partner, kind), []).append(
            calendar.File(sid, _received(at), status == "acceptee", tuple(periods))
        )
    registry = [calendar.Expectation(*line) for line in REGISTRY]
    return calendar.assess_registry(registry, years, files, AS_OF)


def test_every_completeness_row_is_the_calendar_s_with_its_labels(marts):
    actual = {
        (r["partner_code"], r["submission_kind"], r["period"]): r
        for r in _rows(marts, "select * from marts.fct_submission_completeness")
    }
    expected = {}
    for row in calendar.calendar_rows(scenario_assessments()):
        row = {
            **row,
            "submission_kind_label": KIND_FR[row["submission_kind"]],
            "cadence_label": CADENCE_FR[row["cadence"]],
            "status_label": vocabulary.label("completeness_statuses", row["status"]),
            "expected": 1,
        }
        expected[(row["partner_code"], row["submission_kind"], row["period"])] = row
    assert sorted(actual) == sorted(expected)
    for key, row in expected.items():
        assert actual[key] == {name: row[name] for name in actual[key]}, key


def test_the_scenario_s_named_facts(marts):
    rows = {
        (r["partner_code"], r["submission_kind"], r["period"]): r
        for r in _rows(marts, "select * from marts.fct_submission_completeness")
    }
    assert {r["status"] for r in rows.values()} == set(calendar.STATUSES)
    on_deadline_day = rows[("CAF40", "placements", "2018")]
    assert on_deadline_day["status"] == "on_time" and on_deadline_day["revisions"] == 1
    assert on_deadline_day["deadline_date"] == date(2019, 3, 31)
    assert rows[("CAF40", "placements", "2019")]["status"] == "on_time"  # refused, then accepted
    one_day_late = rows[("CAF40", "attendance", "2018-T1")]
    assert (one_day_late["status"], one_day_late["days_late"]) == ("late", 1)
    assert rows[("CAF40", "attendance", "2018-T2")]["status"] == "on_time"  # its three months
    two_months = rows[("CAF40", "attendance", "2018-T3")]
    assert (two_months["status"], two_months["received"]) == ("missing", 1)  # part of it only
    assert rows[("CAF40", "attendance", "2018-T4")]["received"] == 0  # yearly file too coarse
    assert rows[("CAF40", "attendance", "2019-T4")]["received"] == 0  # file after as_of
    assert rows[("CAF91", "attendance", "2019-02")]["received"] == 2
    assert rows[("CAF91", "attendance", "2019-02")]["status"] == "late"  # refused, then late
    assert rows[("MSA_X", "beneficiaries", "2018")]["status"] == "on_time"  # four quarters
    assert rows[("CAF40", "placements", "2020")]["status"] == "pending"
    assert rows[("MSA_X", "beneficiaries", "2019")]["deadline_date"] == date(2020, 2, 29)
    assert not any(k[0] == "ASSO99" for k in rows)  # no scheme in its département
    assert sum(1 for k in rows if k[:2] == ("CAF40", "placements")) == 3  # 2018, 2019, 2020


def test_timeliness_counts_status_codes_and_unmatched_files(marts):
    assessments = scenario_assessments()
    expected = {}
    for partner, kind, cadence, days in REGISTRY:
        mine = [a for a in assessments if (a.partner, a.kind) == (partner, kind)]
        statuses = [a.status for a in mine]
        settled = len(mine) - statuses.count("pending")
        matched = {f.submission_id for a in mine for f in a.files}
        files = [
            sid
            for sid, p, k, at, _, _ in SUBMISSIONS
            if (p, k) == (partner, kind) and _received(at).date() <= AS_OF
        ]
        expected[(partner, kind)] = {
            "partner_code": partner,
            "submission_kind": kind,
            "cadence": cadence,
            "submission_kind_label": KIND_FR[kind],
            "cadence_label": CADENCE_FR[cadence],
            "deadline_days": days,
            "periods_expected": len(mine),
            "periods_on_time": statuses.count("on_time"),
            "periods_late": statuses.count("late"),
            "periods_missing": statuses.count("missing"),
            "periods_pending": statuses.count("pending"),
            "revisions": sum(a.revisions for a in mine),
            "files_received": len(files),
            "files_unmatched": len([f for f in files if f not in matched]),
            "on_time_rate": statuses.count("on_time") / settled if settled else None,
            "as_of_date": AS_OF,
        }
    actual = {
        (r["partner_code"], r["submission_kind"]): r
        for r in _rows(marts, "select * from marts.fct_submission_timeliness")
    }
    assert actual == expected
    # p2017 (a year before any scheme) meets nothing; nor do a18y (a year, for quarters) and
    # a19bad (no readable period).
    assert actual[("CAF40", "placements")]["files_unmatched"] == 1
    assert actual[("CAF40", "attendance")]["files_unmatched"] == 2
    assert actual[("CAF40", "attendance")]["periods_on_time"] == 3  # 2018-T2, 2019-T1, 2019-T2


def test_dim_partners_describes_each_partner(marts):
    expected = {}
    for code, name, kind, deps in PARTNERS:
        mine = sorted((k, c, d) for p, k, c, d in REGISTRY if p == code)
        schemes = [s for s in SCHEMES if s[2] in deps]
        piloted = [(s, a) for s, a, pilot in ACTIONS if pilot == code]
        expected[code] = {
            "partner_code": code,
            "partner_name": name,
            "partner_type": kind,
            "departement_codes": sorted(deps),
            "departements_label": ", ".join(sorted(deps)),
            "submission_kinds": [k for k, _, _ in mine],
            "submissions_label": " ; ".join(
                f"{KIND_FR[k]} : un fichier par {CADENCE_FR[c]}, sous {d} jours" for k, c, d in mine
            )
            or "aucun envoi attendu",
            "scheme_ids": sorted(s[0] for s in schemes),
            "first_expected_year": min((s[3] for s in schemes), default=None),
            "last_expected_year": max((s[4] for s in schemes), default=None),
            "piloted_scheme_ids": sorted({s for s, _ in piloted}),
            "piloted_actions": len(piloted),
        }
    actual = {r["partner_code"]: r for r in _rows(marts, "select * from marts.dim_partners")}
    assert actual == expected
