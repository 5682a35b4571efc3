"""The drop-folder sensor: each file partners deposit in ``inbox/<partner>/`` becomes a run.

At each tick the sensor moves waiting files into the store (where they are kept for good), adds
a partition for every stored file that has none (files sent with `sdsf submit` or the portal
are stored directly) and asks for one run per new file: that run processes only its file, then
refreshes the models and the publication. Runs queue (one writer: see dagster.yaml);
placements are asked for first, so attendance files sent with them find their structures.
"""

import dagster as dg

from orchestration.defs.intake.partitions import SUBMISSION_PARTITIONS, unregistered_submissions
from orchestration.defs.jobs import refresh_job
from orchestration.intake.service import collect_inbox, processing_order
from orchestration.intake.store import SubmissionStore
from orchestration.settings import sdsf_home


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Keeps the files partners deposit in inbox/<partner>/ and starts one run per new "
    "file (its submission partition, then the models and the publication).",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    home = sdsf_home()
    collected = collect_inbox(home)
    new = unregistered_submissions(context.instance, home)
    if not new:
        return dg.SkipReason("No new file in the inbox or the store.")
    store = SubmissionStore(home)
    subs = sorted((store.get(i) for i in new), key=processing_order)
    context.log.info(f"{len(collected)} file(s) taken from the inbox, {len(new)} new submission(s)")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                # A file's id is its content: the same file never asks for a second run.
                run_key=sub.submission_id,
                partition_key=sub.submission_id,
                tags={"sdsf/trigger": "inbox", "sdsf/partner": sub.partner},
            )
            for sub in subs
        ],
        dynamic_partitions_requests=[SUBMISSION_PARTITIONS.build_add_request(new)],
    )
