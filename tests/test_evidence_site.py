"""The Evidence site builds strictly from a publication file and shows its figures in a browser."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.evidence_site import (
    REPORTS_DIR,
    SiteBuildError,
    _run,
    build_site,
    source_filename,
)
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium

TESTS_DIR = Path(__file__).resolve().parent
SCREENSHOT = TESTS_DIR / "artifacts" / "home.png"


def _load_fixture_builder():
    spec = importlib.util.spec_from_file_location(
        "make_publication", TESTS_DIR / "fixtures" / "make_publication.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_publication = _load_fixture_builder()


def french(value: float, digits: int = 1) -> str:
    """A number the way the page prints it: fixed decimals, decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


def departement_value(indicator_code: str, year: int) -> float:
    for row in make_publication.indicator_value_rows():
        _, code, level, *_, row_year, value = row[:9]
        if code == indicator_code and level == "departement" and row_year == year:
            return value
    raise LookupError((indicator_code, year))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evidence")
    publication = make_publication.write_publication(root / "publication" / "publication.duckdb")
    return build_site(publication, root / "site", strict=True)


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_source_filename_is_relative_to_the_source_folder(tmp_path: Path) -> None:
    publication = tmp_path / "publication.duckdb"
    relative = source_filename(publication)
    assert not Path(relative).is_absolute()
    assert (REPORTS_DIR / "sources" / "sdsf" / relative).resolve() == publication.resolve()


def test_build_site_refuses_a_missing_publication_file(tmp_path: Path) -> None:
    with pytest.raises(SiteBuildError, match="publication file not found"):
        build_site(tmp_path / "absent.duckdb", tmp_path / "site")


def test_a_hanging_step_fails_with_its_last_output(tmp_path: Path) -> None:
    cmd = ["bash", "-c", "echo compiling pages; sleep 60"]
    with pytest.raises(SiteBuildError, match=r"(?s)npm run build timed out after 1 s.*compiling"):
        _run(cmd, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, timeout_s=1, step="npm run build")


def test_a_failing_step_reports_its_exit_code_and_output(tmp_path: Path) -> None:
    cmd = ["bash", "-c", "echo 'Error: Catalog Error: table not found' >&2; exit 3"]
    with pytest.raises(SiteBuildError, match=r"(?s)exit code 3.*table not found"):
        _run(cmd, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, timeout_s=30, step="npm run sources")


def _fake_universal_sql(root: Path, body: str) -> Path:
    """A copy of the postinstall script next to a stand-in universal-sql holding `body`."""
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPORTS_DIR / "scripts" / "patch-universal-sql.cjs", root / "scripts")
    package = root / "node_modules" / "@evidence-dev" / "universal-sql"
    (package / "src" / "client-duckdb").mkdir(parents=True)
    (package / "package.json").write_text('{"name": "@evidence-dev/universal-sql"}')
    for client in ("node.js", "browser.js"):
        (package / "src" / "client-duckdb" / client).write_text(body)
    return root / "scripts" / "patch-universal-sql.cjs"


def _node(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=60)


def test_postinstall_patch_guards_both_statements_and_is_idempotent(tmp_path: Path) -> None:
    body = (
        "async function initDB() {\n"
        "\t\tawait connection.query('SET ieee_floating_point_ops = false;');\n"
        "\t\tawait connection.query('SET old_implicit_casting = true;');\n"
        "}\n"
    )
    script = _fake_universal_sql(tmp_path, body)
    first, second = _node(script), _node(script)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "already patched" in second.stdout
    client = tmp_path / "node_modules/@evidence-dev/universal-sql/src/client-duckdb/node.js"
    patched = client.read_text()
    assert patched.count("from duckdb_settings() where name = 'ieee_floating_point_ops'") == 1
    assert patched.count("from duckdb_settings() where name = 'old_implicit_casting'") == 1


def test_postinstall_patch_fails_loudly_when_its_pattern_is_gone(tmp_path: Path) -> None:
    script = _fake_universal_sql(tmp_path, "await connection.query('SELECT 1');\n")
    result = _node(script)
    assert result.returncode == 1
    assert "expected exactly one" in result.stderr


def test_build_site_writes_the_home_page_with_the_fixture_data(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Taux de couverture global" in index
    # The page's queries ran at build time: the figure is in the prerendered HTML.
    assert french(departement_value(make_publication.TX_COUV, 2016)) in index
    manifest = (site / "data" / "manifest.json").read_text(encoding="utf-8")
    assert "fct_indicator_values" in manifest


def test_build_site_can_run_again_into_the_same_directory(site: Path) -> None:
    publication = site.parent / "publication" / "publication.duckdb"
    (site / "stale.txt").write_text("left from an earlier build")
    assert build_site(publication, site, strict=True) == site
    assert (site / "index.html").is_file()
    assert not (site / "stale.txt").exists()


@needs_chromium
def test_home_page_shows_the_landes_figures_without_console_errors(
    served: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    coverage_2016 = french(departement_value(make_publication.TX_COUV, 2016))
    problems: list[str] = []
    foreign_requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda msg: (
                    problems.append(f"console: {msg.text}") if msg.type == "error" else None
                ),
            )
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on(
                "request",
                lambda req: (
                    None if req.url.startswith(served) else foreign_requests.append(req.url)
                ),
            )
            page.goto(served, wait_until="networkidle")
            page.wait_for_timeout(500)  # let the last chart paint

            heading = page.get_by_role("heading", name=make_publication.INDICATORS[0][2])
            expect(heading).to_be_visible()
            expect(page.get_by_role("cell", name=coverage_2016, exact=True).first).to_be_visible()
            expect(page.get_by_role("cell", name="CC Maremne Adour Côte Sud")).to_be_visible()
            # One chart per indicator, drawn by ECharts on a canvas.
            charts = page.locator("canvas")
            expect(charts.first).to_be_visible()
            assert charts.count() >= len(make_publication.INDICATORS)

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()

    assert problems == []
    assert foreign_requests == []
