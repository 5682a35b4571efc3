"""Schedules declared per scheme from the partner registry.

For each scheme, the partners of its département and the files they send (kind, cadence,
deadline in days after the period's end) give the dates files are due. The scheme's refresh
runs at 06:00 on the day after each such deadline, so completeness and the deadline checks are
evaluated as soon as a file is late, and the models and publication take in whatever arrived.
Files themselves are processed as they come, by the inbox sensor; the scheduled refresh
leaves intake out.

Schedules are off until switched on in the UI (or `dagster schedule start`). Their timezone is
``SDSF_TIMEZONE`` (default Europe/Paris).
"""

from __future__ import annotations

import calendar
import os
from datetime import date, timedelta

import dagster as dg

from orchestration import schemes as scheme_defs
from orchestration.defs.jobs import models_job

# A year without 29 February: deadlines are given as a day of the year for every year.
_REFERENCE_YEAR = 2025
# Period ends of each cadence within a year, as (month, day).
_PERIOD_ENDS = {
    "annual": [(12, 31)],
    "quarterly": [(3, 31), (6, 30), (9, 30), (12, 31)],
    "monthly": [(m, calendar.monthrange(_REFERENCE_YEAR, m)[1]) for m in range(1, 13)],
}


def due_days(cadence: str, deadline_days: int) -> list[tuple[int, int]]:
    """The (month, day) on which files of this cadence are due, each year, sorted."""
    out = set()
    for month, day in _PERIOD_ENDS[cadence]:
        due = date(_REFERENCE_YEAR, month, day) + timedelta(days=deadline_days)
        out.add((due.month, due.day))
    return sorted(out)


def refresh_crons(scheme, partners) -> list[str]:
    """Cron strings for the day after each deadline of the partners sending for a scheme."""
    days = set()
    for partner in partners.values():
        if scheme.departement not in partner.departements:
            continue
        for sub in partner.submissions:
            for month, day in due_days(sub.cadence, sub.deadline_days):
                after = date(_REFERENCE_YEAR, month, day) + timedelta(days=1)
                days.add((after.month, after.day))
    return [f"0 6 {day} {month} *" for month, day in sorted(days)]


def scheme_schedules() -> list[dg.ScheduleDefinition]:
    partners = scheme_defs.load_partners()
    timezone = os.environ.get("SDSF_TIMEZONE", "Europe/Paris")
    schedules = []
    for scheme in scheme_defs.load_schemes(partners=partners):
        crons = refresh_crons(scheme, partners)
        if not crons:
            continue
        schedules.append(
            dg.ScheduleDefinition(
                name=f"refresh_after_deadlines__{scheme.id.replace('-', '_')}",
                job=models_job,
                cron_schedule=crons,
                execution_timezone=timezone,
                default_status=dg.DefaultScheduleStatus.STOPPED,
                tags={"sdsf/scheme": scheme.id, "sdsf/trigger": "schedule"},
                description=f"{scheme.title}: refresh the models and the publication the day "
                f"after each partner deadline ({len(crons)} dates a year, from "
                "sources/partners.yaml).",
            )
        )
    return schedules
