"""Who has not sent what: submissions past their deadline plus a grace period.

One query serves the Dagster deadline checks (on the warehouse) and `sdsf status` (on the
published copy), so the UI and the terminal always show the same table.
"""

from __future__ import annotations

import os

import duckdb

DEFAULT_GRACE_DAYS = 7


def grace_days() -> int:
    """Days after a deadline before a missing file counts (``SDSF_DEADLINE_GRACE_DAYS``)."""
    return int(os.environ.get("SDSF_DEADLINE_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def overdue(con: duckdb.DuckDBPyConnection, schema: str, grace: int) -> list[dict]:
    """Expected periods with no accepted file by deadline + ``grace`` days, oldest first."""
    rows = con.execute(
        f"""
        select
            partner_code, submission_kind, period, deadline_date,
            received, status, as_of_date,
            date_diff('day', deadline_date, as_of_date) as days_overdue
        from {schema}.fct_submission_completeness
        where accepted = 0 and deadline_date + to_days(cast(? as integer)) < as_of_date
        order by partner_code, submission_kind, period_start
        """,
        [grace],
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
    return [dict(zip(names, row, strict=True)) for row in rows]


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
