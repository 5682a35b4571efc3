"""`dagster dev` (what `make dev` starts) loads the code location and lists every asset."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO, pipeline_env

QUERY = "{ assetNodes { assetKey { path } groupName } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_session(session_id: int) -> None:
    """`dagster dev` may ignore SIGTERM for a while and leaves children: end its whole session."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session_id:  # the session id, 4th field after the command name
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(stat.parent.name), signal.SIGKILL)


def _assets(port: int) -> list[dict] | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["data"]["assetNodes"]
    except OSError:
        return None


def test_dagster_dev_serves_every_asset_on_localhost(tmp_path):
    port = _free_port()
    env = pipeline_env(tmp_path)
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").symlink_to(REPO / "dagster.yaml")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster")),
            "dev",
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        assets = None
        while time.monotonic() < deadline and not assets:
            time.sleep(3)
            assets = _assets(port)
        assert assets, "the Dagster UI did not list any asset within 4 minutes"
        keys = {"/".join(a["assetKey"]["path"]): a["groupName"] for a in assets}
        assert keys["marts/fct_indicator_values"] == "marts"
        assert keys["submissions/placements"] == "intake"
        assert keys["schemes/indicators"] == "reference"
        assert keys["evaluation_site"] == "publication"
    finally:
        _kill_session(process.pid)
        process.wait(timeout=30)
