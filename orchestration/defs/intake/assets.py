"""Intake assets: partner files kept in the store, validated and loaded, one partition each."""

from collections import Counter

import dagster as dg
from dagster_duckdb import DuckDBResource

from models import KINDS
from orchestration.defs.intake.partitions import SUBMISSION_PARTITIONS
from orchestration.intake.service import process_submissions
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
    partitions_def=SUBMISSION_PARTITIONS,
    # A range of files (what `sdsf run` asks for) is processed in one run, in one transaction
    # per file, rather than one run per file.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def partner_submissions(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """The files of the run's partitions, validated against their contracts, receipted, loaded.

    Each partition is one stored file (its submission id). Files the warehouse holds already
    are left as they are, so running a partition again changes nothing.
    """
    home = sdsf_home()
    keys = context.partition_keys
    with warehouse.get_connection() as con:
        outcomes = process_submissions(home, con, keys)
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
        else "Fichier(s) déjà traité(s) : rien de nouveau."
    )
    if len(outcomes) == 1:  # one file's run: its whole receipt, as the partner reads it
        receipts += "\n\n```\n" + outcomes[0].receipt.to_text() + "\n```"
    yield dg.MaterializeResult(
        asset_key=["submissions", "submissions"],
        metadata={
            "files_in_run": len(keys),
            "processed": len(outcomes),
            "already_loaded": len(keys) - len(outcomes),
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
