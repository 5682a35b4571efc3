"""The production instance (deploy/dagster.production.yaml) keeps runs in a real PostgreSQL.

The test starts Debian's PostgreSQL server (installed by scripts/install-system-packages.sh) on
127.0.0.1 in a temporary directory, points SDSF_DAGSTER_YAML at the production file, runs part of
the pipeline on that instance and reads the run back from PostgreSQL itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, pipeline_env


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL server missing: run `make setup` (scripts/install-system-packages.sh)"
        )
    root = tmp_path_factory.mktemp("pg")
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: use Debian's postgres account
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        root.chmod(0o755)
        for parent in root.parents:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o005)  # let postgres reach it
    port = _free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "sdsf", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        subprocess.run(
            [
                str(bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "sdsf",
                "dagster",
            ],
            check=True,
            capture_output=True,
        )
        yield {
            "SDSF_PG_HOST": "127.0.0.1",
            "SDSF_PG_PORT": str(port),
            "SDSF_PG_USER": "sdsf",
            "SDSF_PG_PASSWORD": "",
            "SDSF_PG_DB": "dagster",
        }
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
            timeout=60,
        )


SCRIPT = """
import json
import dagster as dg
from orchestration.settings import prepare_environment
prepare_environment()
from orchestration.definitions import defs
job = defs.resolve_job_def("refresh_models")
keys = [k for k in defs.resolve_all_asset_keys() if k.path[0] in ("schemes", "reference")]
with dg.DagsterInstance.get() as instance:
    result = job.execute_in_process(instance=instance, asset_selection=keys)
    print(json.dumps({"run_id": result.run_id, "success": result.success,
                      "storage": type(instance.run_storage).__name__}))
"""


def test_postgres_backed_instance_records_a_run(postgres, tmp_path):
    import json

    import psycopg2

    env = {**pipeline_env(tmp_path / "home"), **postgres}
    env["SDSF_DAGSTER_YAML"] = "deploy/dagster.production.yaml"
    python = str(Path(os.sys.executable))
    started = time.monotonic()
    done = subprocess.run(
        [python, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["success"] and outcome["storage"] == "PostgresRunStorage"
    link = tmp_path / "home" / "dagster" / "dagster.yaml"
    assert link.resolve() == (REPO / "deploy" / "dagster.production.yaml").resolve()

    con = psycopg2.connect(
        host="127.0.0.1", port=int(postgres["SDSF_PG_PORT"]), user="sdsf", dbname="dagster"
    )
    try:
        with con.cursor() as cur:
            cur.execute("select status from runs where run_id = %s", [outcome["run_id"]])
            assert cur.fetchone() == ("SUCCESS",)
            cur.execute(
                "select count(*) from event_logs where run_id = %s and dagster_event_type = %s",
                [outcome["run_id"], "ASSET_MATERIALIZATION"],
            )
            assert cur.fetchone()[0] >= 10  # the scheme tables
    finally:
        con.close()
    assert time.monotonic() - started < 600
