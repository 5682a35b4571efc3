"""One writer: two runs requested together are queued by the instance and run one after the other.

The instance is configured by the repository's dagster.yaml (QueuedRunCoordinator, one run at a
time). Two runs of a job standing in for a warehouse writer are launched at once; Dagster's
daemon dequeues them. Both must succeed, and their executions must not overlap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from tests.conftest import REPO

BIN = Path(sys.executable).parent
JOBS = REPO / "tests" / "fixtures" / "queue_jobs.py"


def test_two_runs_requested_together_execute_one_after_the_other(tmp_path):
    home, out = tmp_path / "dagster", tmp_path / "out"
    home.mkdir()
    out.mkdir()
    (home / "dagster.yaml").symlink_to(REPO / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "QUEUE_TEST_DIR": str(out)}
    for _ in range(2):
        subprocess.run(
            [str(BIN / "dagster"), "job", "launch", "-f", str(JOBS), "-j", "writer"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        queued = instance.get_runs()
        assert len(queued) == 2
        assert {r.status for r in queued} == {dg.DagsterRunStatus.QUEUED}

    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-f", str(JOBS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        with dg.DagsterInstance.from_config(str(home)) as instance:
            while time.monotonic() < deadline:
                runs = instance.get_runs()
                if all(r.is_finished for r in runs):
                    break
                time.sleep(2)
            statuses = [r.status for r in instance.get_runs()]
    finally:
        os.killpg(daemon.pid, 9)
        daemon.wait(timeout=30)
    assert statuses == [dg.DagsterRunStatus.SUCCESS] * 2
    spans = sorted(
        (s["start"], s["end"]) for s in (json.loads(p.read_text()) for p in out.glob("*.json"))
    )
    assert len(spans) == 2
    (_, first_end), (second_start, _) = spans
    assert first_end <= second_start, "the two writer runs overlapped"
