"""Who has not sent what: periods missing past their due date plus the grace period.

One query serves the Dagster deadline checks (on the warehouse) and `sdsf status` (on the
published copy), so the UI and the terminal always show the same table. The rule itself
(expected periods, due dates, statuses, the grace) is the submission calendar's
(orchestration/calendar.py); the query only reads its codes from the completeness mart.
"""

from __future__ import annotations

import duckdb

from orchestration import vocabulary
from orchestration.calendar import MISSING


def overdue(con: duckdb.DuckDBPyConnection, schema: str, grace: int) -> list[dict]:
    """Periods still missing more than ``grace`` days after their due date, oldest first
    (``calendar.Assessment.overdue``); ``status_label`` is the status in French."""
    rows = con.execute(
        f"""
        select
            partner_code, submission_kind, period, deadline_date,
            received, status, as_of_date, days_late as days_overdue
        from {schema}.fct_submission_completeness
        where status = ? and days_late > ?
        order by partner_code, submission_kind, period_start
        """,
        [MISSING, grace],
    ).fetchall()
    names = [
        "partner_code",
        "submission_kind",
        "period",
        "deadline_date",
        "received",
        "status",
        "as_of_date",
        "days_overdue",
    ]
    out = [dict(zip(names, row, strict=True)) for row in rows]
    for row in out:
        row["status_label"] = vocabulary.label("completeness_statuses", row["status"])
    return out


def timeliness(con: duckdb.DuckDBPyConnection, schema: str) -> list[dict]:
    cur = con.execute(
        f"""
        select partner_code, submission_kind, cadence, deadline_days, periods_expected,
               periods_on_time, periods_late, periods_missing, periods_pending, on_time_rate
        from {schema}.fct_submission_timeliness
        order by partner_code, submission_kind
        """
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
