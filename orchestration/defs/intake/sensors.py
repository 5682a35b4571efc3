"""The drop-folder sensor: the files partners deposit in ``inbox/<partner>/`` become one run.

At each tick the sensor moves waiting files into the store (where they are kept for good),
gathers every stored file no delivery holds (files sent with `sdsf submit` or the portal are
stored directly) into one delivery (orchestration/intake/deliveries.py), adds its partition and
asks for one run of it: fifty files on a busy morning are one run, not fifty rebuilds. The run
processes only those files (placements first, so attendance files sent with them find their
structures), then, once the warehouse holds a first refresh, rebuilds only what depends on the
raw tables the files write (orchestration/incremental.py). Runs queue (one writer: see
dagster.yaml).
"""

import dagster as dg

from orchestration.defs.intake.partitions import DELIVERY_PARTITIONS, unregistered_deliveries
from orchestration.defs.jobs import refresh_job
from orchestration.incremental import incremental_selection, refresh_tags, warehouse_is_new
from orchestration.intake.deliveries import deliver, files_of
from orchestration.intake.service import collect_inbox
from orchestration.intake.store import SubmissionStore
from orchestration.settings import sdsf_home, warehouse_path


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Keeps the files partners deposit in inbox/<partner>/ and starts one run for "
    "every new file together (their delivery's partition, then what they change downstream).",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    home = sdsf_home()
    collected = collect_inbox(home)
    deliver(home)
    # A delivery written by an earlier tick whose partition never reached the instance (the
    # tick failed after writing it) is asked for again, under the same run key.
    new = unregistered_deliveries(context.instance, home)
    if not new:
        return dg.SkipReason("No new file in the inbox or the store.")
    store = SubmissionStore(home)
    requests = []
    for key in new:
        subs = [store.get(i) for i in files_of(home, [key])]
        context.log.info(
            f"{len(collected)} file(s) taken from the inbox; delivery {key}: {len(subs)} file(s)"
        )
        tags = {
            "sdsf/trigger": "inbox",
            "sdsf/files": str(len(subs)),
            "sdsf/partners": ",".join(sorted({s.partner for s in subs})),
        }
        selection, partners = None, None  # a new warehouse: everything, references included
        if not warehouse_is_new(home):
            from orchestration.definitions import defs  # the code location, loaded by now

            graph = defs.resolve_asset_graph()
            selection = sorted(incremental_selection(graph, [s.kind for s in subs]))
            partners = [s.partner for s in subs]
        # as `sdsf run` tags it: an incremental run rewrites the files' schemes only
        tags |= refresh_tags(warehouse_path(home), partners)
        # The key names the delivery, so a tick evaluated again never queues its files twice.
        requests.append(
            dg.RunRequest(
                run_key=f"inbox-{key}", partition_key=key, tags=tags, asset_selection=selection
            )
        )
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[DELIVERY_PARTITIONS.build_add_request(new)],
    )
