"""The incremental refresh gives exactly the marts a full refresh gives.

After the demo's full refresh, two new placements files (a Landes partner, a Lozère partner)
are processed incrementally: one run, the intake and what depends on `raw.placements` and
`raw.submissions` only. A full refresh of the same warehouse then rebuilds every model; every
published mart, in the warehouse and in the publication, must be the same row for row, and
every CSV export the same: the incremental run rewrote the exports of the schemes the files'
partners touch (their publication rows too) and kept the other scheme's files as they were.
"""

from __future__ import annotations

import re
import shutil

import dagster as dg
import duckdb

from orchestration.editions import ROLLING_EDITION
from orchestration.publication import PUBLISHED_MARTS
from tests.conftest import run_sdsf

NEW_FILES = {
    "CAF40": "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
    "2018;EAJE-40192-77;EAJE_COLLECTIF;40192;12;14\n",
    "CAF48": "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
    "2019;EAJE-48009-77;EAJE_COLLECTIF;48009;9;11\n",
}


def _marts(path, schema: str) -> dict[str, list[tuple]]:
    """Every published mart's rows, ordered by every column."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {}
        for name in PUBLISHED_MARTS:
            count = len(con.execute(f"select * from {schema}.{name} limit 0").description)
            order = ", ".join(str(i) for i in range(1, count + 1))
            tables[name] = con.execute(
                f"select * from {schema}.{name} order by {order} nulls first"
            ).fetchall()
        return tables
    finally:
        con.close()


def _exports(home) -> dict[str, tuple[int, bytes]]:
    """The rolling edition's CSV exports: inode and content, by path under exports/."""
    root = home / "editions" / ROLLING_EDITION / "exports"
    return {
        str(p.relative_to(root)): (p.stat().st_ino, p.read_bytes())
        for p in sorted(root.rglob("*.csv"))
    }


def _materialized(home, run_id: str) -> set[str]:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        return {
            r.dagster_event.step_materialization_data.materialization.asset_key.to_user_string()
            for r in records
        }


def test_new_files_processed_incrementally_give_the_marts_of_a_full_refresh(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    before = _marts(home / "warehouse.duckdb", "marts")
    exports_before = _exports(home)
    for partner, text in NEW_FILES.items():
        inbox = home / "inbox" / partner
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "places_corrige.csv").write_text(text, encoding="utf-8")

    result = run_sdsf(home, "run", "--no-site")
    assert "incremental refresh, 2 file(s) to process" in result.stdout
    assert "files this run : 2" in result.stdout, "files arriving together are one run"
    run_id = re.search(r"Dagster run\s+: (\S+)", result.stdout).group(1)
    built = _materialized(home, run_id)
    assert {"submissions/placements", "marts/fct_indicator_values"} <= built
    # Neither the references nor the models that only read them were rebuilt.
    assert not {"schemes/schemes", "cog/communes", "marts/dim_schemes"} & built

    warehouse = home / "warehouse.duckdb"
    incremental = _marts(warehouse, "marts")
    assert incremental != before, "the new files changed the figures"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = con.execute(
            "select partner_code from raw.placements where structure_code like 'EAJE-%-77' "
            "order by 1"
        ).fetchall()
    finally:
        con.close()
    assert loaded == [("CAF40",), ("CAF48",)]
    publication = home / "publication" / "publication.duckdb"
    incremental_publication = _marts(publication, "main")
    # The files' partners (CAF40, CAF48) touch the Landes schemes and Lozère's: the Essonne
    # scheme's exports are kept as they were (the same files), the others' rewritten.
    incremental_exports = _exports(home)
    kept = {p for p, (inode, _) in incremental_exports.items() if exports_before[p][0] == inode}
    assert kept and all(p.startswith("essonne-2016-2019/") for p in kept), sorted(kept)
    assert "essonne-2016-2019/csv/fct_indicator_values.csv" in kept

    full = run_sdsf(home, "run", "--no-site", "--full")
    assert "full refresh (asked (--full))" in full.stdout
    assert "files this run : 0" in full.stdout
    assert "schemes/schemes" in _materialized(
        home, re.search(r"Dagster run\s+: (\S+)", full.stdout).group(1)
    )
    for name, rows in _marts(warehouse, "marts").items():
        assert incremental[name] == rows, f"marts.{name} differs from a full refresh"
    for name, rows in _marts(publication, "main").items():
        assert incremental_publication[name] == rows, f"publication {name} differs"
    full_exports = _exports(home)
    assert set(full_exports) == set(incremental_exports)
    for path, (inode, data) in full_exports.items():
        assert data == incremental_exports[path][1], f"exports/{path} differs from a full refresh"
        assert inode != incremental_exports[path][0], f"a full refresh rewrites exports/{path}"

    # Nothing new since: no run at all.
    idle = run_sdsf(home, "run", "--no-site")
    assert "incremental refresh, 0 file(s)" in idle.stdout
    assert "Dagster run    : none" in idle.stdout
