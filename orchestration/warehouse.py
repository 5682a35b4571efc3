"""Writing reference frames into the warehouse's raw schema, all or nothing."""

from __future__ import annotations

import duckdb
import pandas as pd


def replace_tables(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    *,
    schema: str = "raw",
    column_types: dict[str, dict[str, str]] | None = None,
) -> dict[str, int]:
    """Replace ``schema.<name>`` by each frame in one transaction; returns row counts.

    ``column_types`` (table -> column -> DuckDB type) declares types that a frame cannot carry,
    such as a list column that is empty or all null.
    """
    counts = {}
    con.execute(f"create schema if not exists {schema}")
    con.begin()
    try:
        for name, frame in frames.items():
            view = f"_incoming_{name}"
            con.register(view, frame)
            types = (column_types or {}).get(name)
            if types:
                ddl = ", ".join(f'"{col}" {sql_type}' for col, sql_type in types.items())
                con.execute(f"create or replace table {schema}.{name} ({ddl})")
                con.execute(f"insert into {schema}.{name} by name select * from {view}")
            else:
                con.execute(f"create or replace table {schema}.{name} as select * from {view}")
            con.unregister(view)
            counts[name] = len(frame)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return counts


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])
