"""The Evidence site's build steps, and a site built before any partner file arrived.

Apart from tests/test_evidence_site.py so that, under ``make test`` (a file to a worker), this
second full build runs on the other worker while that file builds and crawls the demo's site.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import site_app, site_slices
from orchestration.editions import ROLLING_EDITION, create_edition, site_database
from orchestration.evidence_site import (
    REPORTS_DIR,
    SiteBuildError,
    _run,
    build_site,
    site_fingerprint,
    source_filename,
)
from orchestration.site_paths import scheme_path, slice_home
from tests.conftest import copy_demo_publication, needs_chromium, rendered_texts

LANDES = "landes-2016-2018"
LOZERE = "lozere-2016-2019"
COVERAGE = "TX_COUV_GLOBAL"


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


def test_site_fingerprint_follows_the_pages_but_not_local_data_files(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "pages").mkdir(parents=True)
    (reports / "sources" / "sdsf").mkdir(parents=True)
    (reports / "pages" / "index.md").write_text("# Accueil\n")
    (reports / "package-lock.json").write_text("{}")
    first = site_fingerprint(reports)
    (reports / "sources" / "sdsf" / "local.duckdb").write_bytes(b"data")
    assert site_fingerprint(reports) == first
    (reports / "pages" / "index.md").write_text("# Accueil modifié\n")
    assert site_fingerprint(reports) != first


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


@needs_chromium
def test_the_site_builds_before_any_partner_file_arrived_and_then_only_a_changed_slice(
    demo_home, tmp_path
) -> None:
    """A new deployment: schemes and territories, but every fact table empty. Then a change in
    one département's figures: its slice alone is written again, the others are kept, and the
    app is not bundled again."""
    publication = copy_demo_publication(demo_home, tmp_path / "home")
    with duckdb.connect(str(publication)) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_name like 'fct_%' or table_name = 'dim_priority_territories'"
            ).fetchall()
        ]
        for table in tables:
            con.execute(f"delete from {table}")
    empty = create_edition(ROLLING_EDITION, home=tmp_path / "home", rolling=True)
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.txt").write_text("left from an earlier build")
    first = site_slices.build(site_database(empty), out)
    assert first.out_dir == out
    assert sorted(first.rebuilt) == ["40", "48", "91"]
    assert first.app_seconds > 0  # the app was bundled for this new site
    assert not (out / "stale.txt").exists()
    landes = out / slice_home("40").strip("/")
    indicator = f"{scheme_path('40', LANDES)}indicateurs/{COVERAGE}/"
    home_text, indicator_text = rendered_texts(out, [slice_home("40"), indicator])
    assert "Pas encore de données pour ce schéma" in home_text
    assert "Aucune valeur pour" in indicator_text
    assert f'href="{scheme_path("48", LOZERE)}"' in (out / "index.html").read_text("utf-8")

    # Each slice's copy of the app points at its own base and carries its own contours only.
    for path in landes.rglob("*"):
        if path.is_file() and "data" not in path.relative_to(landes).parts:
            assert site_app.PLACEHOLDER.encode() not in path.read_bytes(), path
    contours = {p.name for p in (landes / "carte").glob("*.geojson")}
    assert contours and all(name.endswith("-40.geojson") for name in contours), contours

    kept = (landes / "index.html").stat().st_ino
    with duckdb.connect(str(site_database(empty))) as con:
        con.execute(
            "update dim_schemes set title = title || ' (version révisée)' where scheme_id = ?",
            [LOZERE],
        )
    second = site_slices.build(site_database(empty), out)
    assert second.rebuilt == ["48"]
    assert second.app_seconds == 0  # the pages did not change: the app was kept
    assert (landes / "index.html").stat().st_ino == kept  # the same file, not built again
    (lozere,) = rendered_texts(out, [scheme_path("48", LOZERE)])
    assert "(version révisée)" in lozere
    assert "(version révisée)" in (out / "index.html").read_text(encoding="utf-8")
