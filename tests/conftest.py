"""Shared fixtures: isolated data directories and one real end-to-end demo run per session."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SDSF = Path(sys.executable).with_name("sdsf")


# Debian's Chromium, installed by scripts/install-system-packages.sh, for the browser tests.
CHROMIUM = Path("/usr/bin/chromium")
# Flags measured to keep Debian's Chromium quiet and offline in a container (see stack notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent: run scripts/install-system-packages.sh (make setup)",
)


@contextlib.contextmanager
def serve_directory(folder: Path) -> Iterator[str]:
    """A built site served on a free local port, as `make serve` would; yields its base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def rendered_texts(site: Path, paths: list[str]) -> list[str]:
    """The text each page of a built site shows once its queries ran in Chromium (the site's
    pages render in the browser: orchestration/site_app.py)."""
    from playwright.sync_api import sync_playwright

    texts = []
    with serve_directory(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for path in paths:
                page.goto(url + path, wait_until="networkidle")
                texts.append(page.inner_text("body"))
        finally:
            browser.close()
    return texts


def pipeline_env(home: Path) -> dict[str, str]:
    """Environment for a subprocess working on the data directory ``home``."""
    env = dict(os.environ)
    env.update(
        SDSF_HOME=str(home),
        SDSF_WAREHOUSE=str(home / "warehouse.duckdb"),
        DAGSTER_HOME=str(home / "dagster"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def run_sdsf(
    home: Path, *args: str, check: bool = True, sources: Path | None = None
) -> subprocess.CompletedProcess:
    """`sdsf ARGS` on the data directory ``home`` (and the deployment folder ``sources``)."""
    env = pipeline_env(home)
    if sources is not None:
        env["SDSF_SOURCES"] = str(sources)
    result = subprocess.run(
        [str(SDSF), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"sdsf {' '.join(args)} exited {result.returncode}\n"
            f"--- stdout (tail)\n{result.stdout[-4000:]}\n"
            f"--- stderr (tail)\n{result.stderr[-4000:]}"
        )
    return result


def pytest_collection_modifyitems(config, items):
    """The files that need the demo run first, each file's tests kept in order: under
    ``make test`` (a file to a worker) the long files start at once and the short ones fill
    the end, instead of one worker finishing a long file alone."""
    heavy = {item.path for item in items if "demo_home" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: item.path not in heavy)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A data directory where `sdsf demo` ran end to end (real Dagster, dbt, DuckDB): once
    per session, that is once per worker under ``make test`` (``pytest -n 2``)."""
    home = tmp_path_factory.mktemp("sdsf-demo")
    run_sdsf(home, "demo", "--no-site")
    return home


def run_dbt(
    command: str,
    warehouse: Path,
    work: Path,
    select: str | None = None,
    *,
    indirect_selection: str = "cautious",
    threads: int | None = None,
) -> subprocess.CompletedProcess:
    """``dbt <command>`` on ``warehouse``: of ``select`` (with the tests ``indirect_selection``
    picks) or of the whole project; ``threads`` for dbt and DuckDB, else the profile's. Target
    and logs go to ``work`` so tests can run side by side; dbt's Python models import
    ``orchestration`` from this checkout."""
    dbt_dir = REPO / "dbt_project"
    env = dict(
        os.environ,
        SDSF_WAREHOUSE=str(warehouse),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        PYTHONPATH=str(REPO),
    )
    if threads is not None:
        env.update(SDSF_DBT_THREADS=str(threads), SDSF_DUCKDB_THREADS=str(threads))
    selection = []
    if select is not None:
        selection = ["--select", select, "--indirect-selection", indirect_selection]
    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), command, "--project-dir", str(dbt_dir)]
        + ["--profiles-dir", str(dbt_dir), "--target-path", str(work / "target")]
        + ["--log-path", str(work / "logs"), *selection],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def dbt_build(
    warehouse: Path, work: Path, select: str | None = None, **options
) -> subprocess.CompletedProcess:
    """``dbt build`` (models and their tests) on ``warehouse``; see :func:`run_dbt`."""
    return run_dbt("build", warehouse, work, select, **options)


def copy_demo_publication(demo_home: Path, home: Path) -> Path:
    """A data directory with the demo's publication and stored-file manifests only (what an
    edition is made from); returns its publication file."""
    shutil.copytree(demo_home / "publication", home / "publication")
    shutil.copytree(demo_home / "store" / "manifests", home / "store" / "manifests")
    return home / "publication" / "publication.duckdb"
