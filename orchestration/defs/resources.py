"""Resources shared by every domain: the DuckDB warehouse under the data directory."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from orchestration.settings import warehouse_path


def warehouse_resource() -> DuckDBResource:
    """The warehouse of the current data directory (``$SDSF_HOME/warehouse.duckdb``)."""
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=str(path))
