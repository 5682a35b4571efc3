"""Submission completeness: a hand-made warehouse through real dbt, checked row by row.

The warehouse holds only the raw tables the partner marts read. The expected rows are computed
here in plain Python from the same few lists, with the rules the marts document: periods of the
partner's cadence over the years of the schemes of its départements (started by as_of_date);
a file meets a period when the periods it reports within it cover all the period's months; a
file received on the deadline day is on time; files received after as_of_date do not count.
"""

from __future__ import annotations

import calendar
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration import vocabulary
from orchestration.intake.loading import ensure_raw_tables
from orchestration.schemes import TABLE_COLUMNS
from orchestration.warehouse import replace_tables

REPO = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).with_name("dbt")
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
    marks = ", ".join("?" for _ in columns)
    con.executemany(f"insert into raw.{table} ({', '.join(columns)}) values ({marks})", rows)


def _received(text: str) -> datetime:
    return datetime.fromisoformat(text)


def build_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    ensure_raw_tables(con)  # raw.submissions exactly as the intake creates it
    schemes = [
        {
            "scheme_id": i,
            "kind": k,
            "title": i,
            "departement_code": d,
            "start_year": a,
            "end_year": b,
        }
        for i, k, d, a, b in SCHEMES
    ]
    # Columns the rows leave out (months, source note) stay null.
    schemes = [tuple(row.get(name) for name in TABLE_COLUMNS["schemes"]) for row in schemes]
    _create(con, "schemes", schemes)
    _create(
        con,
        "actions",
        [(s, a, "1", f"Action {a}", pilot, i) for i, (s, a, pilot) in enumerate(ACTIONS, 1)],
    )
    _create(con, "partners", [(code, name, kind) for code, name, kind, _ in PARTNERS])
    _create(
        con,
        "partner_departements",
        [(code, dep) for code, _, _, deps in PARTNERS for dep in deps],
    )
    _create(con, "partner_submissions", REGISTRY)
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
            (sid, partner, kind, f"{sid}.csv", sid, _received(at), status, periods)
            for sid, partner, kind, at, status, periods in SUBMISSIONS
        ],
    )
    con.close()


def run_dbt(warehouse: Path, work: Path, *args: str) -> None:
    env = dict(os.environ, SDSF_WAREHOUSE=str(warehouse), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    project = REPO / "dbt_project"
    result = subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            # Own target and log folders: others may be running dbt on the project meanwhile.
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],  # fmt: skip
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    work = tmp_path_factory.mktemp("completeness")
    warehouse = work / "warehouse.duckdb"
    build_warehouse(warehouse)
    run_dbt(
        warehouse,
        work,
        "build",
        "--select",
        "+fct_submission_completeness +fct_submission_timeliness +dim_partners",
        # Only tests whose parents are all built here: the scheme models' other tests (axes,
        # indicators...) need tables this warehouse deliberately lacks.
        "--indirect-selection",
        "buildable",
        "--vars",
        json.dumps({"as_of_date": AS_OF.isoformat()}),
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --------------------------------------------------------------------------- the expectation


def _bounds(code: str) -> tuple[date, date]:
    """First and last day of a canonical period code (2018, 2018-T2, 2018-05)."""
    year = int(code[:4])
    if len(code) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    if code[5] == "T":
        first = 3 * int(code[6]) - 2
        last = first + 2
    else:
        first = last = int(code[5:7])
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _months(start: date, end: date) -> set[tuple[int, int]]:
    return {(start.year, m) for m in range(start.month, end.month + 1)}


def expected_periods(partner: str, cadence: str) -> list[tuple[str, int, date, date]]:
    deps = next(d for code, _, _, d in PARTNERS if code == partner)
    years = sorted({y for _, _, dep, a, b in SCHEMES if dep in deps for y in range(a, b + 1)})
    out = []
    for year in years:
        if cadence == "year":
            codes = [str(year)]
        elif cadence == "quarter":
            codes = [f"{year}-T{q}" for q in range(1, 5)]
        else:
            codes = [f"{year}-{m:02d}" for m in range(1, 13)]
        for code in codes:
            start, end = _bounds(code)
            if start <= AS_OF:
                out.append((code, year, start, end))
    return out


def covers(periods: list[str], start: date, end: date) -> bool:
    inside = [_bounds(p) for p in periods if start <= _bounds(p)[0] and _bounds(p)[1] <= end]
    covered = set().union(*(_months(a, b) for a, b in inside)) if inside else set()
    return covered == _months(start, end)


def expected_completeness() -> dict[tuple, dict]:
    rows = {}
    for partner, kind, cadence, days in REGISTRY:
        for code, year, start, end in expected_periods(partner, cadence):
            deadline = end + timedelta(days=days)
            files = [
                (sid, _received(at), status == "acceptee")
                for sid, p, k, at, status, periods in SUBMISSIONS
                if p == partner
                and k == kind
                and _received(at).date() <= AS_OF
                and covers(periods, start, end)
            ]
            accepted = sorted(at for _, at, ok in files if ok)
            on_time = bool(accepted) and accepted[0].date() <= deadline
            past = deadline < AS_OF
            if on_time:
                status, days_late = "à l'heure", 0
            elif accepted:
                status, days_late = "en retard", (accepted[0].date() - deadline).days
            elif past:
                status, days_late = "manquant", (AS_OF - deadline).days
            else:
                status, days_late = "attendu", None
            rows[(partner, kind, code)] = {
                "partner_code": partner,
                "submission_kind": kind,
                "period": code,
                "cadence": cadence,
                "submission_kind_label": KIND_FR[kind],
                "cadence_label": CADENCE_FR[cadence],
                "period_type": cadence,  # cadences and period types: the granularities
                "period_year": year,
                "period_start": start,
                "period_end": end,
                "deadline_days": days,
                "deadline_date": deadline,
                "expected": 1,
                "received": len(files),
                "accepted": int(bool(accepted)),
                "revisions": max(len(accepted) - 1, 0),
                "first_received_at": min((at for _, at, _ in files), default=None),
                "first_accepted_at": accepted[0] if accepted else None,
                "last_accepted_at": accepted[-1] if accepted else None,
                "late": int((bool(accepted) and not on_time) or (not accepted and past)),
                "missing": int(not accepted and past),
                "status": status,
                "days_late": days_late,
                "submission_ids": sorted(sid for sid, _, _ in files),
                "as_of_date": AS_OF,
            }
    return rows


# --------------------------------------------------------------------------- the tests


def test_every_completeness_row_matches_the_hand_computation(marts):
    actual = {
        (r["partner_code"], r["submission_kind"], r["period"]): r
        for r in _rows(marts, "select * from marts.fct_submission_completeness")
    }
    expected = expected_completeness()
    assert sorted(actual) == sorted(expected)
    for key, row in expected.items():
        assert actual[key] == row, key


def test_the_scenario_exercises_every_status_and_rule(marts):
    """Guards the fixture: each case named in the module docstring is really present."""
    rows = expected_completeness()
    assert {r["status"] for r in rows.values()} == {"à l'heure", "en retard", "manquant", "attendu"}
    assert rows[("CAF40", "placements", "2018")]["status"] == "à l'heure"  # on the deadline day
    assert rows[("CAF40", "placements", "2018")]["revisions"] == 1
    assert rows[("CAF40", "attendance", "2018-T2")]["status"] == "à l'heure"  # three months
    assert rows[("CAF40", "attendance", "2018-T3")]["status"] == "manquant"  # two months only
    assert rows[("CAF40", "attendance", "2018-T4")]["received"] == 0  # annual file too coarse
    assert rows[("CAF40", "attendance", "2019-T4")]["received"] == 0  # file after as_of
    assert rows[("CAF91", "attendance", "2019-02")]["received"] == 2
    assert rows[("CAF40", "placements", "2020")]["status"] == "attendu"
    assert not any(k[0] == "ASSO99" for k in rows)  # no scheme in its département
    assert sum(1 for k in rows if k[:2] == ("CAF40", "placements")) == 3  # 2018, 2019, 2020


def test_timeliness_counts_and_on_time_rate(marts):
    completeness = expected_completeness().values()
    expected = {}
    for partner, kind, cadence, days in REGISTRY:
        mine = [
            r for r in completeness if (r["partner_code"], r["submission_kind"]) == (partner, kind)
        ]
        statuses = [r["status"] for r in mine]
        settled = len(mine) - statuses.count("attendu")
        matched = {sid for r in mine for sid in r["submission_ids"]}
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
            "periods_on_time": statuses.count("à l'heure"),
            "periods_late": statuses.count("en retard"),
            "periods_missing": statuses.count("manquant"),
            "periods_pending": statuses.count("attendu"),
            "revisions": sum(r["revisions"] for r in mine),
            "files_received": len(files),
            "files_unmatched": len([f for f in files if f not in matched]),
            "on_time_rate": statuses.count("à l'heure") / settled if settled else None,
            "as_of_date": AS_OF,
        }
    actual = {
        (r["partner_code"], r["submission_kind"]): r
        for r in _rows(marts, "select * from marts.fct_submission_timeliness")
    }
    assert actual == expected
    # p2017 (a year before any scheme) and a19bad (no readable period) meet nothing.
    assert actual[("CAF40", "placements")]["files_unmatched"] == 1
    assert actual[("CAF40", "attendance")]["files_unmatched"] == 3  # a18q3, a18y, a19bad


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
