"""Intake assets: partner files kept in the store, validated and loaded, by delivery."""

from collections import Counter

import dagster as dg
from dagster_duckdb import DuckDBResource

from models import KINDS
from orchestration import approvals, vocabulary
from orchestration.calendar import parse_period
from orchestration.defs.intake.partitions import DELIVERY_PARTITIONS
from orchestration.intake.deliveries import files_of
from orchestration.intake.service import process_submissions, submissions_in_periods
from orchestration.progress import Progress
from orchestration.settings import sdsf_home

SUBMISSION_TABLES = ("submissions", *KINDS)
MAX_LISTED_FILES = 200
# Up to this many files a run logs a line per file; beyond, a line every few seconds.
FILES_TOLD_ONE_BY_ONE = 200
PROGRESS_EVERY_SECONDS = 5.0


class IntakeConfig(dg.Config):
    """Optional backfill window: files reporting periods in it are judged and loaded again."""

    reprocess_from: str | None = None
    reprocess_to: str | None = None


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
                dg.AssetKey(["schemes", "action_partners"]),
                dg.AssetKey(["schemes", "action_milestones"]),
                dg.AssetKey(["cog", "communes"]),
            ],
        )
        for table in SUBMISSION_TABLES
    ],
    partitions_def=DELIVERY_PARTITIONS,
    # A range of deliveries (what a backfill asks for) is processed in one run, in one
    # transaction per file, rather than one run per delivery.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def partner_submissions(
    context: dg.AssetExecutionContext, config: IntakeConfig, warehouse: DuckDBResource
):
    """The files of the run's partitions, validated against their contracts, receipted, loaded.

    Each partition is one delivery: the files stored together (orchestration/intake/
    deliveries.py). Files the warehouse holds already
    are left as they are, so running a partition again changes nothing, except for files whose
    periods overlap the configured ``reprocess_from``..``reprocess_to`` window: those are
    judged again against today's references and their rows replaced (a backfill by period).
    """
    home = sdsf_home()
    submission_ids = files_of(home, context.partition_keys)
    reprocess: frozenset[str] = frozenset()
    if config.reprocess_from or config.reprocess_to:
        first = parse_period(config.reprocess_from or config.reprocess_to)
        last = parse_period(config.reprocess_to or config.reprocess_from)
        if first is None or last is None or first.start > last.end:
            raise dg.Failure(
                f"reprocess window {config.reprocess_from!r}..{config.reprocess_to!r}: "
                "give periods such as 2017, 2017-T1 or 2017-03, the first not after the last"
            )
        reprocess = frozenset(submissions_in_periods(home, first, last)) & set(submission_ids)

    files = Progress(len(submission_ids))

    def progress(done: int, total: int, o) -> None:
        files.total = total  # the files not loaded yet, known once the store is read
        line = files.step(
            f"file {o.submission.submission_id}: "
            f"{'accepted' if o.receipt.accepted else 'REJECTED'} "
            f"({o.receipt.rows} rows, {len(o.receipt.errors)} errors) -> {o.receipt_path}"
        )
        # Every line is an event of Dagster's log: a run of thousands of files tells every
        # refused or held file, and where it is every few seconds (a fifth of intake's time
        # for every département went into a line per file).
        if total > FILES_TOLD_ONE_BY_ONE and _routine(o) and not files.due(PROGRESS_EVERY_SECONDS):
            return
        (context.log.info if o.receipt.accepted else context.log.warning)(line)

    with warehouse.get_connection() as con:
        outcomes = process_submissions(
            home, con, submission_ids, reprocess=reprocess, progress=progress
        )
        totals = {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in SUBMISSION_TABLES
        }
    status = Counter(_status(o) for o in outcomes)
    # Rejected and held files first; a delivery of thousands of files lists the first ones
    # (every receipt is in receipts_dir), so the event stays small enough for the UI.
    listed = sorted(outcomes, key=_routine)
    table = "\n".join(
        f"| {o.submission.partner} | {o.submission.file_name} | {o.submission.kind} | "
        f"{vocabulary.label('submission_statuses', _status(o))} | {o.receipt.rows} | "
        f"{len(o.receipt.errors)} | {len(o.receipt.warnings)} |"
        for o in listed[:MAX_LISTED_FILES]
    )
    if len(listed) > MAX_LISTED_FILES:
        table += (
            f"\n\n… et {len(listed) - MAX_LISTED_FILES} autres fichiers (accusés : receipts_dir)."
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
            "deliveries_in_run": len(context.partition_keys),
            "files_in_run": len(submission_ids),
            "processed": len(outcomes),
            "already_loaded": len(submission_ids) - len(outcomes),
            "reprocessed": len(reprocess),
            "accepted": status["acceptee"],
            "held": status[approvals.HELD],
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


def _status(outcome) -> str:
    """The submission status code (sources/vocabulary.yaml) of a judged file."""
    return outcome.receipt.verdict


def _routine(outcome) -> bool:
    """An accepted file that is not held: nothing for a reader to act on."""
    return outcome.receipt.accepted and _status(outcome) != approvals.HELD
