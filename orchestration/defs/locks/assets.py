"""The lock at intake in the warehouse: which accepted files approved periods hold, and so which
revisions count."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.intake.holds import write_holds
from orchestration.intake.loading import ensure_raw_tables
from orchestration.intake.revisions import COUNTED_REVISIONS
from orchestration.settings import sdsf_home


@dg.asset(
    key=["locks", "submission_holds"],
    group_name="locks",
    description="`raw.submission_holds`: accepted files received after the approval of a "
    "period they report (orchestration/approvals.py), left out of every model until unlocked.",
    kinds={"python", "duckdb"},
    owners=["team:data-engineering"],
    tags={"layer": "raw"},
    deps=[
        dg.AssetKey(["schemes", "partner_departements"]),
        dg.AssetKey(["schemes", "schemes"]),
        dg.AssetKey(["submissions", "submissions"]),
    ],
)
def submission_holds(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Recomputed every run from the approval steps, so an approval or unlock takes effect."""
    with warehouse.get_connection() as con:
        ensure_raw_tables(con)  # no file received yet: raw.submissions is empty, not absent
        rows = write_holds(sdsf_home(), con)
    return dg.MaterializeResult(
        metadata={
            "held_files": len({r[0] for r in rows}),
            "held_for": dg.MetadataValue.md(
                "\n".join(f"- {sid}: {scheme} {period}" for sid, scheme, period, _ in rows)
                or "Aucun fichier en attente."
            ),
        }
    )


@dg.asset(
    key=["locks", "counted_revisions"],
    group_name="locks",
    description="`raw.counted_revisions`: per kind of file, partner and period, the file that "
    "counts (the latest, held files left out: orchestration/intake/revisions.py).",
    kinds={"python", "duckdb"},
    owners=["team:data-engineering"],
    tags={"layer": "raw"},
    # A view over the holds and every kind's raw table. Only the holds are a dependency here:
    # each kind's models already read that kind's table, and an edge from every kind would
    # make a file of one kind rebuild the models of all (orchestration/incremental.py).
    deps=[submission_holds],
)
def counted_revisions(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """The view (re)created with the intake's raw tables: its rows follow them live."""
    with warehouse.get_connection() as con:
        ensure_raw_tables(con)
        files = con.execute(f"select count(distinct submission_id) from {COUNTED_REVISIONS}")
        counted = files.fetchone()[0]
    return dg.MaterializeResult(metadata={"files_counted": counted})
