"""Synthetic milestones and action reports on a copy of a demo warehouse, to develop the pages.

Until the scheme YAML declares milestones and the intake loads action-report files
(issue 13, docs in /work/wt/SPEC13.md), a demo warehouse has neither. This helper adds a few of
each to a copy of a demo home, then rebuilds the models, the publication and the rolling
edition (and the site with ``--site``):

    PYTHONPATH=. .venv/bin/python -m tests.action_tracking_demo DEMO_HOME WORK_HOME [--site]

The tables are created with the columns of SPEC13.md when the warehouse lacks them; a warehouse
from a pipeline that has the action-report contract and the milestone table already has them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
MSA = "charte-msa-landes-armagnac-2018-2022"
# The columns SPEC13.md fixes for the two tables.
MILESTONE_COLUMNS = (
    "scheme_id varchar, axis_code varchar, action_code varchar, milestone_code varchar, "
    "label varchar, due_date date, due_precision varchar, position integer, illustrative boolean"
)
REPORT_COLUMNS = (
    "submission_id varchar, partner_code varchar, received_at timestamp, line integer, "
    "period varchar, action_code varchar, state varchar, share_done double, "
    "milestone_code varchar, milestone_date date, comment varchar, period_type varchar, "
    "period_year integer, period_start date, period_end date"
)
# The MSA charte's four steps over its 42 months (September 2018 to February 2022).
MSA_MILESTONES = [
    ("MSA-1.1", "MSA-1.1-J1", "Questionnaire aux familles diffusé", date(2019, 1, 31), "month"),
    ("MSA-1.1", "MSA-1.1-J2", "Résultats de l'enquête restitués", date(2019, 3, 31), "month"),
    ("MSA-1.2", "MSA-1.2-J1", "Données des acteurs locaux réunies", date(2019, 2, 28), "month"),
    ("MSA-2.1", "MSA-2.1-J1", "Comité de priorisation réuni", date(2019, 6, 14), "day"),
    ("MSA-2.1", "MSA-2.1-J2", "Plan d'actions partagé adopté", date(2019, 9, 30), "month"),
    ("MSA-3.4", "MSA-3.4-J1", "Projet de santé validé", date(2020, 6, 30), "month"),
    ("MSA-3.4", "MSA-3.4-J2", "Suivi de grossesse ouvert", date(2021, 6, 30), "month"),
    ("MSA-4.1", "MSA-4.1-J1", "Enquête de satisfaction menée", date(2021, 11, 30), "month"),
    ("MSA-4.1", "MSA-4.1-J2", "Bilan présenté au comité", date(2022, 2, 28), "month"),
]
# (partner, period, action, state, share, milestone, reached, comment)
REPORTS = [
    ("MSA_SUD_AQUITAINE", "2019", "MSA-1.1", "REALISEE", 100.0, "MSA-1.1-J1", date(2019, 1, 20),
     "Enquête close : 412 réponses. <b>Merci</b> aux mairies & écoles."),
    ("MSA_SUD_AQUITAINE", "2019", "MSA-1.1", "REALISEE", 100.0, "MSA-1.1-J2", date(2019, 5, 6),
     None),
    ("MSA_SUD_AQUITAINE", "2019", "MSA-1.2", "EN_COURS", 60.0, None, None,
     "=SOMME(A1:A3) des données reçues"),
    ("MSA_SUD_AQUITAINE", "2019", "MSA-2.1", "EN_COURS", 50.0, "MSA-2.1-J1", date(2019, 6, 14),
     "<script>alert('x')</script> comité tenu"),
    ("MSA_SUD_AQUITAINE", "2020", "MSA-2.1", "REALISEE", 100.0, "MSA-2.1-J2", date(2020, 1, 15),
     "Plan adopté avec retard (élections municipales)."),
    ("ARS_NOUVELLE_AQUITAINE", "2020", "MSA-3.4", "REPORTEE", 10.0, None, None,
     "Projet de maison de santé décalé d'un an."),
    ("ARS_NOUVELLE_AQUITAINE", "2021", "MSA-3.4", "ABANDONNEE", None, "MSA-3.4-J1",
     date(2020, 11, 2), "Le financement n'a pas été obtenu."),
]  # fmt: skip


def _milestones(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The MSA charte's milestones, and two for every other action without an indicator."""
    rows = [
        (MSA, action.rsplit(".", 1)[0], action, code, label, due, precision, int(code[-1]), True)
        for action, code, label, due, precision in MSA_MILESTONES
    ]
    bare = con.execute(
        """select a.scheme_id, a.axis_code, a.action_code, s.start_year, s.end_year
        from raw.actions a join raw.schemes s using (scheme_id)
        where a.scheme_id <> ? and not exists (select 1 from raw.indicators i
            where i.scheme_id = a.scheme_id and i.action_code = a.action_code)
        order by a.scheme_id, a.action_code""",
        [MSA],
    ).fetchall()
    for n, (scheme, axis, action, start, end) in enumerate(bare):
        if n == 0:
            continue  # one action with neither indicators nor milestones, as the demo will
        first, second = date(start, 12, 31), date(min(start + 2, end), 6, 30)
        rows += [
            (scheme, axis, action, f"{action}-J1", "Groupe de travail installé", first, "month",
             1, True),
            (scheme, axis, action, f"{action}-J2", "Premier bilan présenté au comité", second,
             "month", 2, True),
        ]  # fmt: skip
    return rows


def add_action_tracking(con: duckdb.DuckDBPyConnection) -> None:
    """Create the two raw tables if missing and fill them with the synthetic rows."""
    con.execute(f"create table if not exists raw.action_milestones ({MILESTONE_COLUMNS})")
    con.execute(f"create table if not exists raw.action_reports ({REPORT_COLUMNS})")
    con.execute("delete from raw.action_milestones")
    con.execute("delete from raw.action_reports")
    milestones = _milestones(con)
    con.executemany(f"insert into raw.action_milestones values ({', '.join('?' * 9)})", milestones)
    reports = list(REPORTS)
    others = sorted({(m[0], m[2]) for m in milestones if m[0] != MSA})
    for k, (_scheme, action) in enumerate(others[:6]):
        pilot, start = con.execute(
            "select a.pilot_partner, s.start_year from raw.actions a join raw.schemes s "
            "using (scheme_id) where a.action_code = ?",
            [action],
        ).fetchone()
        state = ("EN_COURS", "REALISEE", "NON_ENGAGEE")[k % 3]
        reached = date(start, 11, 15) if k % 2 == 0 else date(start + 1, 3, 1)
        reports.append(
            (pilot, str(start), action, state, 30.0, f"{action}-J1" if k % 3 != 2 else None,
             reached if k % 3 != 2 else None, f"Point d'étape {start} sur {action}.")
        )  # fmt: skip
    for line, (partner, period, action, state, share, code, reached, comment) in enumerate(
        reports, start=2
    ):
        year = int(period)
        con.execute(
            f"insert into raw.action_reports values ({', '.join('?' * 15)})",
            [f"{partner}-action_reports-{period}", partner, datetime(year + 1, 2, 10), line,
             period, action, state, share, code, reached, comment, "year", year,
             date(year, 1, 1), date(year, 12, 31)],
        )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo_home", type=Path)
    parser.add_argument("work_home", type=Path)
    parser.add_argument("--site", action="store_true", help="also build the Evidence site")
    args = parser.parse_args(argv)
    from orchestration import site_slices, vocabulary
    from orchestration.editions import ROLLING_EDITION, create_edition, site_database
    from orchestration.publication import write_publication
    from orchestration.warehouse import replace_tables

    home: Path = args.work_home
    home.mkdir(parents=True, exist_ok=True)
    warehouse = home / "warehouse.duckdb"
    shutil.copy(args.demo_home / "warehouse.duckdb", warehouse)
    shutil.rmtree(home / "store", ignore_errors=True)
    shutil.copytree(args.demo_home / "store" / "manifests", home / "store" / "manifests")
    with duckdb.connect(str(warehouse)) as con:
        # the demo ran with the vocabulary of its day; the scheme reference writes today's
        replace_tables(
            con,
            {"vocabulary": vocabulary.vocabulary_table()},
            column_types={"vocabulary": vocabulary.TABLE_COLUMNS},
        )
        add_action_tracking(con)
    dbt_dir = REPO / "dbt_project"
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--project-dir", str(dbt_dir),
         "--profiles-dir", str(dbt_dir), "--target-path", str(home / "target"),
         "--log-path", str(home / "logs")],
        env={**os.environ, "SDSF_WAREHOUSE": str(warehouse)},
        check=True,
    )  # fmt: skip
    write_publication(warehouse, home / "publication" / "publication.duckdb")
    edition = create_edition(ROLLING_EDITION, home=home, rolling=True)
    print(f"edition: {edition}")
    if args.site:
        print(f"site: {site_slices.build(site_database(edition), home / 'site').out_dir}")


if __name__ == "__main__":
    main()
