"""The drop-folder sensor: the files partners deposit in ``inbox/<partner>/`` become one run.

At each tick the sensor moves waiting files into the store (where they are kept for good), adds
a partition for every stored file that has none (files sent with `sdsf submit` or the portal
are stored directly) and asks for one run covering every new file (a range of their partitions,
added together so they follow each other): fifty files on a busy morning are one run, not
fifty rebuilds. The run processes only those files (placements first, so attendance files sent
with them find their structures), then, once the warehouse holds a first refresh, rebuilds only
what depends on the raw tables the files write (orchestration/incremental.py). Runs queue (one
writer: see dagster.yaml).
"""

import hashlib

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.defs.intake.partitions import SUBMISSION_PARTITIONS, unregistered_submissions
from orchestration.defs.jobs import refresh_job
from orchestration.incremental import incremental_selection, refresh_tags, warehouse_is_new
from orchestration.intake.service import collect_inbox
from orchestration.intake.store import SubmissionStore
from orchestration.settings import sdsf_home, warehouse_path


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Keeps the files partners deposit in inbox/<partner>/ and starts one run for "
    "every new file together (their submission partitions, then what they change downstream).",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    home = sdsf_home()
    collected = collect_inbox(home)
    new = unregistered_submissions(context.instance, home)
    if not new:
        return dg.SkipReason("No new file in the inbox or the store.")
    store = SubmissionStore(home)
    subs = [store.get(i) for i in new]
    context.log.info(f"{len(collected)} file(s) taken from the inbox, {len(new)} new submission(s)")
    # The partitions are added in this order before the run starts: new[0]..new[-1] is a range
    # of exactly these files. A file's id is its content, so the same files never ask twice.
    batch = hashlib.sha256(" ".join(sorted(new)).encode()).hexdigest()[:16]
    tags = {
        "sdsf/trigger": "inbox",
        "sdsf/files": str(len(new)),
        "sdsf/partners": ",".join(sorted({s.partner for s in subs})),
    }
    if len(new) > 1:
        tags[ASSET_PARTITION_RANGE_START_TAG] = new[0]
        tags[ASSET_PARTITION_RANGE_END_TAG] = new[-1]
    selection, partners = None, None  # a new warehouse: everything, references included
    if not warehouse_is_new(home):
        from orchestration.definitions import defs  # the code location, loaded by now

        graph = defs.resolve_asset_graph()
        selection = sorted(incremental_selection(graph, [s.kind for s in subs]))
        partners = [s.partner for s in subs]
    # as `sdsf run` tags it: an incremental run rewrites the files' schemes only
    tags |= refresh_tags(warehouse_path(home), partners)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"inbox-{batch}",
                partition_key=new[0] if len(new) == 1 else None,
                tags=tags,
                asset_selection=selection,
            )
        ],
        dynamic_partitions_requests=[SUBMISSION_PARTITIONS.build_add_request(new)],
    )
