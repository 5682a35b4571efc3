"""The drop-folder sensor: files partners deposit in ``inbox/<partner>/`` start a refresh."""

import hashlib

import dagster as dg

from orchestration.defs.jobs import refresh_job
from orchestration.settings import sdsf_home


def inbox_files() -> list[tuple[str, int, int]]:
    """(path relative to the inbox, size, mtime in ns) of every file waiting in the inbox."""
    inbox = sdsf_home() / "inbox"
    if not inbox.exists():
        return []
    out = []
    for path in sorted(inbox.glob("*/**/*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            out.append((str(path.relative_to(inbox)), stat.st_size, stat.st_mtime_ns))
    return out


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts a refresh when partners deposit files in the inbox (inbox/<partner>/).",
)
def inbox_sensor(context: dg.SensorEvaluationContext):
    files = inbox_files()
    if not files:
        return dg.SkipReason("Inbox empty.")
    # The same waiting files give the same run key, so a pending batch is requested once.
    run_key = hashlib.sha256(repr(files).encode()).hexdigest()[:20]
    return dg.RunRequest(
        run_key=run_key,
        tags={"sdsf/trigger": "inbox", "sdsf/files": str(len(files))},
    )
