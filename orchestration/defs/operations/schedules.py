"""Schedules declared per scheme from the partner registry and the submission calendar.

For each scheme, the partners of its département and the files they send (kind, cadence,
deadline in days after the period's end) give the dates files are due, from the submission
calendar (orchestration/calendar.py: real years, leap years included). The scheme's refresh
runs at 06:00 on the day after each such due date, so completeness and the deadline checks are
evaluated as soon as a file is late, and the models and publication take in whatever arrived.
Files themselves are processed as they come, by the inbox sensor; the scheduled refresh
leaves intake out.

A cron has no year, and due dates move with leap years (a 60-day deadline after 31 December
falls on 1 March, or on 29 February before a leap year): the crons are the days after the due
dates of the scheme's periods over at least four years, and each tick first checks that the
day before it really is a due date that year, skipping otherwise.

Schedules are off until switched on in the UI (or `dagster schedule start`). Their timezone is
``SDSF_TIMEZONE`` (default Europe/Paris).
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import dagster as dg

from orchestration import calendar
from orchestration import schemes as scheme_defs
from orchestration.defs.jobs import models_job

# Years enough for every leap-year variant of a due date to appear among a scheme's crons.
_LEAP_CYCLE = 4


def scheme_deadlines(scheme, partners) -> list[tuple[str, int]]:
    """The distinct (cadence, deadline_days) of the partners sending for a scheme."""
    return sorted(
        {
            (sub.cadence, sub.deadline_days)
            for partner in partners.values()
            if scheme.departement in partner.departements
            for sub in partner.submissions
        }
    )


def refresh_days(scheme, partners) -> list[date]:
    """The days after the due dates of the scheme's periods (its years, at least four)."""
    first = scheme.period.start
    years = range(first, max(scheme.period.end, first + _LEAP_CYCLE - 1) + 1)
    return sorted(
        {
            due + timedelta(days=1)
            for cadence, days in scheme_deadlines(scheme, partners)
            for due in calendar.due_dates(cadence, days, years)
        }
    )


def refresh_crons(scheme, partners) -> list[str]:
    """Cron strings at 06:00 on each (day, month) that follows a due date in some year."""
    days = sorted({(d.month, d.day) for d in refresh_days(scheme, partners)})
    return [f"0 6 {day} {month} *" for month, day in days]


def follows_a_due_date(day: date, deadlines: list[tuple[str, int]]) -> bool:
    """Whether ``day`` is the day after a due date of one of the (cadence, deadline_days)."""
    due = day - timedelta(days=1)
    years = range(due.year - 2, due.year + 1)  # deadlines up to two years after a period
    return any(due in calendar.due_dates(c, d, years) for c, d in deadlines)


def scheme_schedules() -> list[dg.ScheduleDefinition]:
    partners = scheme_defs.load_partners()
    timezone = os.environ.get("SDSF_TIMEZONE", "Europe/Paris")
    schedules = []
    for scheme in scheme_defs.load_schemes(partners=partners):
        crons = refresh_crons(scheme, partners)
        if not crons:
            continue
        deadlines = scheme_deadlines(scheme, partners)
        schedules.append(
            dg.ScheduleDefinition(
                name=f"refresh_after_deadlines__{scheme.id.replace('-', '_')}",
                job=models_job,
                cron_schedule=crons,
                execution_timezone=timezone,
                default_status=dg.DefaultScheduleStatus.STOPPED,
                should_execute=lambda context, deadlines=deadlines: follows_a_due_date(
                    context.scheduled_execution_time.date(), deadlines
                ),
                tags={"sdsf/scheme": scheme.id, "sdsf/trigger": "schedule"},
                description=f"{scheme.title}: refresh the models and the publication the day "
                "after each partner due date (sources/partners.yaml, on the real calendar: a "
                "tick whose previous day is no due date that year is skipped).",
            )
        )
    return schedules
