"""The sdsf code location: wires assets, resources and jobs together; nothing else lives here."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.calendar.assets import submission_calendar
from orchestration.defs.intake.assets import partner_submissions
from orchestration.defs.intake.checks import contract_checks, rejected_submissions
from orchestration.defs.intake.sensors import inbox_sensor
from orchestration.defs.jobs import models_job, refresh_job
from orchestration.defs.locks.assets import counted_revisions, submission_holds
from orchestration.defs.operations.alerts import run_failure_alert
from orchestration.defs.operations.deadlines import deadline_checks
from orchestration.defs.operations.reminders import partner_reminders, reminders_schedule
from orchestration.defs.operations.schedules import scheme_schedules
from orchestration.defs.publication.assets import (
    edition,
    evaluation_site,
    publication_database,
)
from orchestration.defs.quality.assets import quality_review
from orchestration.defs.reference.assets import (
    child_population,
    period_approvals,
    scheme_reference,
    territory_reference,
)
from orchestration.defs.resources import warehouse_resource
from orchestration.defs.transform.assets import sdsf_dbt_models
from orchestration.defs.transform.resources import dbt_resource
from orchestration.settings import prepare_environment

prepare_environment()

defs = dg.Definitions(
    assets=[
        scheme_reference,
        territory_reference,
        child_population,
        period_approvals,
        partner_submissions,
        submission_holds,
        counted_revisions,
        submission_calendar,
        quality_review,
        sdsf_dbt_models,
        publication_database,
        edition,
        evaluation_site,
    ],
    asset_checks=[*contract_checks, rejected_submissions, deadline_checks],
    jobs=[refresh_job, models_job, partner_reminders],
    schedules=[*scheme_schedules(), reminders_schedule],
    sensors=[inbox_sensor, run_failure_alert],
    resources={"warehouse": warehouse_resource(), "dbt": dbt_resource()},
    # DuckDB allows one writer per file: every step of a run executes in one process, in order.
    executor=dg.in_process_executor,
)
