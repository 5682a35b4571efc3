"""The lock at intake as a warehouse table: which accepted files approved periods hold."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.intake.holds import write_holds
from orchestration.intake.loading import ensure_raw_tables
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
