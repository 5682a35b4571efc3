"""The marts do not depend on threads: the same data gives the same tables, bit for bit.

DuckDB adds doubles in an order that varies with its threads, so every sum and mean of floating
values in the models is exact (dbt_project/macros/exact_sum.sql). On copies of the demo's
warehouse, every model is rebuilt with one thread for dbt and DuckDB, then twice with two; each
mart table's checksum (over its rows, sorted) must be the same in all three and the same as
the demo's own build (the project's default threads).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.conftest import run_dbt


def mart_checksums(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of the sorted rows (every column as text) of each table in ``marts``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            name: con.execute(
                "select count(*), md5(coalesce(string_agg(cast(t as varchar), chr(10) "
                f"order by cast(t as varchar)), '')) from marts.{name} as t"
            ).fetchone()
            for name in names
        }
    finally:
        con.close()


def dbt_run(warehouse: Path, work: Path, threads: int) -> None:
    """``dbt run`` of every model on ``warehouse`` with ``threads`` for dbt and for DuckDB."""
    result = run_dbt("run", warehouse, work, threads=threads)
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"threads={threads}" in result.stdout.replace(" ", "") or (
        f"Concurrency: {threads} threads" in result.stdout
    ), result.stdout[:2000]


def test_marts_are_the_same_with_one_thread_and_with_two(demo_home, tmp_path):
    demo = demo_home / "warehouse.duckdb"
    expected = mart_checksums(demo)
    assert "fct_indicator_values" in expected and expected["fct_indicator_values"][0] > 0
    for label, threads in (("one", 1), ("two", 2), ("two-again", 2)):
        warehouse = tmp_path / f"{label}.duckdb"
        shutil.copyfile(demo, warehouse)
        dbt_run(warehouse, tmp_path / label, threads)
        got = mart_checksums(warehouse)
        differ = sorted(n for n in expected if got.get(n) != expected[n])
        assert not differ, f"with {threads} thread(s) these marts differ: {differ}"
