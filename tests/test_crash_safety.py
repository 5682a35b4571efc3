"""A run killed in the middle leaves a consistent warehouse, and the next run completes it."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time

import duckdb

from models import KINDS
from orchestration.demo import generate_demo
from tests.conftest import REPO, SDSF, pipeline_env, run_sdsf

# The rows of every kind of partner file, by submission.
LOADED = " union all ".join(f"select submission_id from raw.{kind}" for kind in KINDS)


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_run_killed_during_intake_loses_nothing_and_the_next_run_completes(tmp_path):
    home = tmp_path / "home"
    process = subprocess.Popen(
        [str(SDSF), "demo", "--no-site"],
        cwd=REPO,
        env=pipeline_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    receipts = home / "receipts"
    # Kill as soon as intake has receipted a few files: loads are then under way.
    started = _wait_for(lambda: receipts.exists() and len(list(receipts.rglob("*.json"))) >= 3, 300)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert started, "intake never started"

    # Every file received is kept, whether or not it was processed.
    demo_files = generate_demo()
    stored = {p.stem for p in (home / "store" / "files").glob("*.csv")}
    waiting = {(p.parent.name, p.name) for p in (home / "inbox").rglob("*") if p.is_file()}
    for demo in demo_files:
        kept = hashlib.sha256(demo.data).hexdigest() in stored
        assert kept or (demo.partner, demo.name) in waiting, f"{demo.partner}/{demo.name} lost"

    # What the warehouse holds is whole: each recorded submission has all its rows or none.
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        partial = con.execute(
            f"""
            select s.submission_id, s.rows_read, count(r.submission_id) as loaded
            from raw.submissions as s
            left join ({LOADED}) as r using (submission_id)
            where s.status = 'acceptee'
            group by all
            having count(r.submission_id) != s.rows_read
            """
        ).fetchall()
    finally:
        con.close()
    assert partial == []

    run_sdsf(home, "run", "--no-site")
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        [(submissions,)] = con.execute("select count(*) from raw.submissions").fetchall()
        [(rejected,)] = con.execute(
            "select count(*) from raw.submissions where status = 'rejetee'"
        ).fetchall()
        [(indicator_rows,)] = con.execute(
            "select count(*) from marts.fct_indicator_values"
        ).fetchall()
    finally:
        con.close()
    assert (submissions, rejected) == (len(demo_files), 1)
    assert indicator_rows > 0
