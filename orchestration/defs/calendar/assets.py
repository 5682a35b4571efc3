"""The submission calendar as warehouse tables, for the completeness marts.

The asset reads the partner registry, the schemes and the files received from the raw schema,
applies the submission calendar (orchestration/calendar.py) on the as-of date and writes
``raw.submission_calendar`` (one row per expected period) and ``raw.submission_calendar_files``
(one row per file received by then). dbt publishes them as ``fct_submission_completeness`` and
``fct_submission_timeliness`` without re-deciding anything.
"""

from collections import defaultdict
from datetime import date

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from orchestration import calendar
from orchestration.intake.loading import ensure_raw_tables
from orchestration.warehouse import replace_tables

CALENDAR_TABLES = {
    "submission_calendar": calendar.TABLE_COLUMNS,
    "submission_calendar_files": calendar.FILE_TABLE_COLUMNS,
}


class CalendarConfig(dg.Config):
    """The day the calendar is read on (YYYY-MM-DD); default ``SDSF_AS_OF_DATE``, else today."""

    as_of_date: str | None = None


def read_inputs(con: duckdb.DuckDBPyConnection):
    """Registry lines, scheme years by partner and files by (partner, kind), from raw tables."""
    registry = [
        calendar.Expectation(partner, kind, cadence, int(days))
        for partner, kind, cadence, days in con.execute(
            "select partner_code, kind, cadence, deadline_days"
            " from raw.partner_submissions order by partner_code, kind"
        ).fetchall()
    ]
    schemes = con.execute(
        """
        select s.departement_code, s.start_year, s.end_year,
               -- a scheme without piloted actions has no pilots (not a null list)
               coalesce(list(a.pilot_partner) filter (where a.pilot_partner is not null), [])
        from raw.schemes as s left join raw.actions as a using (scheme_id)
        group by all
        """
    ).fetchall()
    departements = defaultdict(list)
    for partner, dep in con.execute(
        "select partner_code, departement_code from raw.partner_departements"
    ).fetchall():
        departements[partner].append(dep)
    kinds = defaultdict(list)
    for line in registry:
        kinds[line.partner].append(line.kind)
    years = {p: calendar.owed_years(p, kinds[p], deps, schemes) for p, deps in departements.items()}
    files = defaultdict(list)
    for sid, partner, kind, received_at, status, periods in con.execute(
        "select submission_id, partner_code, kind, received_at, status, periods"
        " from raw.submissions"
    ).fetchall():
        files[(partner, kind)].append(
            calendar.File(sid, received_at, status == "acceptee", tuple(periods or ()))
        )
    return registry, years, dict(files)


def write_calendar(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, int]:
    """Compute the calendar on ``as_of`` from the raw tables and replace its two tables."""
    ensure_raw_tables(con)  # no file received yet: raw.submissions is empty, not absent
    registry, years, files = read_inputs(con)
    assessments = calendar.assess_registry(registry, years, files, as_of)
    frames = {
        "submission_calendar": pd.DataFrame(
            calendar.calendar_rows(assessments), columns=list(calendar.TABLE_COLUMNS)
        ),
        "submission_calendar_files": pd.DataFrame(
            calendar.file_rows(files, assessments, as_of),
            columns=list(calendar.FILE_TABLE_COLUMNS),
        ),
    }
    return replace_tables(con, frames, column_types=CALENDAR_TABLES)


@dg.multi_asset(
    name="submission_calendar",
    group_name="calendar",
    specs=[
        dg.AssetSpec(
            ["calendar", table],
            description=f"`raw.{table}`: the submission calendar (orchestration/calendar.py) "
            "on the as-of date.",
            kinds={"python", "duckdb"},
            owners=["team:data-engineering"],
            tags={"layer": "raw"},
            deps=[
                dg.AssetKey(["schemes", "partner_submissions"]),
                dg.AssetKey(["schemes", "partner_departements"]),
                dg.AssetKey(["schemes", "schemes"]),
                dg.AssetKey(["schemes", "actions"]),
                dg.AssetKey(["submissions", "submissions"]),
            ],
        )
        for table in CALENDAR_TABLES
    ],
)
def submission_calendar(config: CalendarConfig, warehouse: DuckDBResource):
    """Expected periods, due dates and statuses of every partner's files, on the as-of date."""
    as_of = calendar.as_of_date(config.as_of_date)
    with warehouse.get_connection() as con:
        counts = write_calendar(con, as_of)
    for table in CALENDAR_TABLES:
        yield dg.MaterializeResult(
            asset_key=["calendar", table],
            metadata={"rows": counts[table], "as_of_date": as_of.isoformat()},
        )
