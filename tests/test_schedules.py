"""Schedules come from the partner registry and the submission calendar: a refresh the day after
each due date, on the real calendar (leap years included)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.defs.operations.schedules import follows_a_due_date

LANDES = "refresh_after_deadlines__landes_2016_2018"


def test_a_day_follows_a_due_date_of_its_own_year():
    # A 60-day yearly deadline: due 1 March, or 29 February when the year after is a leap year.
    assert follows_a_due_date(date(2027, 3, 2), [("year", 60)])
    assert not follows_a_due_date(date(2027, 3, 1), [("year", 60)])
    assert follows_a_due_date(date(2028, 3, 1), [("year", 60)])
    assert not follows_a_due_date(date(2028, 3, 2), [("year", 60)])
    # Month ends + 10 days: 31 January -> 10 February, 29 February 2028 -> 10 March.
    assert follows_a_due_date(date(2028, 2, 11), [("month", 10)])
    assert follows_a_due_date(date(2028, 3, 11), [("month", 10)])
    assert not follows_a_due_date(date(2028, 3, 10), [("month", 10)])
    # Quarter ends + 45 days: 31/03 -> 15/05.
    assert follows_a_due_date(date(2026, 5, 16), [("quarter", 45), ("year", 90)])


def _tick(schedule, when: datetime):
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        return schedule.evaluate_tick(context)


def test_landes_schedule_runs_the_day_after_each_due_date_and_requests_the_models_job():
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def(LANDES)
    # Landes partners: yearly files due 90 days after 31/12 (31/03, or 30/03 before a leap
    # year), the association's 60 days after (01/03, or 29/02), CAF40's quarterly attendance
    # 45 days after each quarter (14/02, 15/05, 14/08, 14/11).
    assert schedule.cron_schedule == [
        "0 6 15 2 *",
        "0 6 1 3 *",
        "0 6 2 3 *",
        "0 6 31 3 *",
        "0 6 1 4 *",
        "0 6 16 5 *",
        "0 6 15 8 *",
        "0 6 15 11 *",
    ]
    assert schedule.job_name == "refresh_models"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    data = _tick(schedule, datetime(2027, 4, 1, 6, 0, tzinfo=ZoneInfo("Europe/Paris")))
    (request,) = data.run_requests
    assert request.tags["sdsf/scheme"] == "landes-2016-2018"
    assert request.tags["sdsf/trigger"] == "schedule"
    job = defs.resolve_job_def("refresh_models")
    keys = {k.path[0] for k in job.asset_layer.executable_asset_keys}
    assert "submissions" not in keys and "marts" in keys and "calendar" in keys


@pytest.mark.parametrize(
    ("day", "runs"),
    [
        (date(2027, 3, 2), True),  # 2026 + 60 days = 1 March 2027
        (date(2027, 3, 1), False),  # 28 February 2027 is no due date
        (date(2028, 3, 1), True),  # 2027 + 60 days = 29 February 2028
        (date(2028, 3, 2), False),
        (date(2028, 3, 31), True),  # 2027 + 90 days = 30 March 2028
        (date(2028, 4, 1), False),
        (date(2027, 3, 31), False),
    ],
)
def test_landes_ticks_skip_days_that_follow_no_due_date_that_year(day, runs):
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def(LANDES)
    when = datetime(day.year, day.month, day.day, 6, 0, tzinfo=ZoneInfo("Europe/Paris"))
    data = _tick(schedule, when)
    assert bool(data.run_requests) is runs, data.skip_message
