"""A small real warehouse for the sign-off pages: the schemes, the geography, a few files
processed by the real intake code and the submission calendar, all by the real assets."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from orchestration.defs.calendar.assets import submission_calendar
from orchestration.defs.reference.assets import scheme_reference, territory_reference
from orchestration.intake.service import process_submissions, receive_file


def refresh_warehouse(home: Path, files: list[tuple[str, str, bytes]]) -> Path:
    """Write ``home``/warehouse.duckdb from the deployment's YAML, with ``files`` (partner,
    kind, bytes) received and processed; returns its path."""
    warehouse = home / "warehouse.duckdb"
    resources = {"warehouse": DuckDBResource(database=str(warehouse))}
    assert dg.materialize([scheme_reference, territory_reference], resources=resources).success
    ids = [
        receive_file(home, data, partner=partner, kind=kind, file_name=f"{kind}.csv").submission
        for partner, kind, data in files
    ]
    con = duckdb.connect(str(warehouse))
    try:
        process_submissions(home, con, [sub.submission_id for sub in ids])
    finally:
        con.close()
    assert dg.materialize([submission_calendar], resources=resources).success
    return warehouse
