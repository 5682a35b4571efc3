"""Intake assets: partner files from the drop folder and the store, validated and loaded."""

from collections import Counter

import dagster as dg
from dagster_duckdb import DuckDBResource

from models import KINDS
from orchestration.intake.service import collect_inbox, process_pending
from orchestration.settings import sdsf_home

SUBMISSION_TABLES = ("submissions", *KINDS)


@dg.multi_asset(
    name="partner_submissions",
    group_name="intake",
    specs=[
        dg.AssetSpec(
            ["submissions", table],
            description=(
                "Every submission received, accepted or rejected, with its receipt summary."
                if table == "submissions"
                else f"Rows of accepted `{table}` files, every revision kept."
            ),
            kinds={"pandera", "duckdb"},
            owners=["team:data-engineering"],
            tags={"layer": "raw"},
            deps=[
                dg.AssetKey(["schemes", "partner_submissions"]),
                dg.AssetKey(["schemes", "actions"]),
                dg.AssetKey(["cog", "communes"]),
            ],
        )
        for table in SUBMISSION_TABLES
    ],
)
def partner_submissions(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Partner files kept in the store, validated against their contracts, receipted, loaded."""
    home = sdsf_home()
    collected = collect_inbox(home)
    with warehouse.get_connection() as con:
        outcomes = process_pending(home, con)
        totals = {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in SUBMISSION_TABLES
        }
    for o in outcomes:
        log = context.log.info if o.receipt.accepted else context.log.warning
        log(
            f"{o.submission.submission_id}: "
            f"{'accepted' if o.receipt.accepted else 'REJECTED'} "
            f"({o.receipt.rows} rows, {len(o.receipt.errors)} errors) -> {o.receipt_path}"
        )
    status = Counter("acceptee" if o.receipt.accepted else "rejetee" for o in outcomes)
    table = "\n".join(
        f"| {o.submission.partner} | {o.submission.file_name} | {o.submission.kind} | "
        f"{'acceptée' if o.receipt.accepted else 'refusée'} | {o.receipt.rows} | "
        f"{len(o.receipt.errors)} | {len(o.receipt.warnings)} |"
        for o in outcomes
    )
    receipts = (
        "| partenaire | fichier | type | statut | lignes | erreurs | avertissements |\n"
        "|---|---|---|---|---|---|---|\n" + table
        if outcomes
        else "Aucun nouveau fichier."
    )
    yield dg.MaterializeResult(
        asset_key=["submissions", "submissions"],
        metadata={
            "collected_from_inbox": len(collected),
            "processed": len(outcomes),
            "accepted": status["acceptee"],
            "rejected": status["rejetee"],
            "receipts": dg.MetadataValue.md(receipts),
            "receipts_dir": str(home / "receipts"),
            "total_rows": totals["submissions"],
        },
    )
    for kind in KINDS:
        yield dg.MaterializeResult(
            asset_key=["submissions", kind],
            metadata={
                "rows_loaded": sum(o.rows_loaded for o in outcomes if o.submission.kind == kind),
                "total_rows": totals[kind],
            },
        )
