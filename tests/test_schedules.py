"""Schedules come from the partner registry: a refresh the day after each deadline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.operations.schedules import due_days


def test_due_days_follow_cadence_and_deadline():
    # 31 December + 90 days = 31 March.
    assert due_days("annual", 90) == [(3, 31)]
    # Quarter ends + 45 days: 31/03 -> 15/05, 30/06 -> 14/08, 30/09 -> 14/11, 31/12 -> 14/02.
    assert due_days("quarterly", 45) == [(2, 14), (5, 15), (8, 14), (11, 14)]
    # Month ends + 10 days: 31/01 -> 10/02, 28/02 -> 10/03, ..., 31/12 -> 10/01.
    monthly = due_days("monthly", 10)
    assert len(monthly) == 12 and (2, 10) in monthly and (3, 10) in monthly and (1, 10) in monthly


def test_landes_schedule_runs_the_day_after_each_deadline_and_requests_the_models_job():
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("refresh_after_deadlines__landes_2016_2018")
    # Landes partners: annual files due 90 days after 31/12 (31/03), the association's 60 days
    # after (01/03), CAF40's quarterly attendance 45 days after each quarter.
    assert schedule.cron_schedule == [
        "0 6 15 2 *",
        "0 6 2 3 *",
        "0 6 1 4 *",
        "0 6 16 5 *",
        "0 6 15 8 *",
        "0 6 15 11 *",
    ]
    assert schedule.job_name == "refresh_models"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    when = datetime(2027, 4, 1, 6, 0, tzinfo=ZoneInfo("Europe/Paris"))
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        data = schedule.evaluate_tick(context)
    (request,) = data.run_requests
    assert request.tags["sdsf/scheme"] == "landes-2016-2018"
    assert request.tags["sdsf/trigger"] == "schedule"
    job = defs.resolve_job_def("refresh_models")
    keys = {k.path[0] for k in job.asset_layer.executable_asset_keys}
    assert "submissions" not in keys and "marts" in keys
