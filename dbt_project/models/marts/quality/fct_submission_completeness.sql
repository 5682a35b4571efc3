-- One row per partner, kind of file and period the partner registry expects, with what arrived.
--
-- Every rule (which periods are expected, their due dates, which files cover a period, the
-- status) is the submission calendar's, orchestration/calendar.py, which the Python asset
-- `submission_calendar` applies on the as-of date and writes to raw.submission_calendar. The
-- portal, `sdsf status`, the deadline checks and the schedules read the same module; this model
-- only publishes its table with the French labels.

with submission_calendar as (
    select * from {{ ref('stg_calendar__submission_calendar') }}
)

select
    cast(partner_code as varchar) as partner_code,
    cast(submission_kind as varchar) as submission_kind,
    cast(period as varchar) as period,
    cast(cadence as varchar) as cadence,
    cast({{ vocabulary_label('submission_kinds', 'submission_kind') }} as varchar)
        as submission_kind_label,
    cast({{ vocabulary_label('granularities', 'cadence') }} as varchar) as cadence_label,
    cast(period_type as varchar) as period_type,
    cast(period_year as integer) as period_year,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(deadline_days as integer) as deadline_days,
    cast(deadline_date as date) as deadline_date,
    cast(1 as integer) as expected,
    cast(received as integer) as received,
    cast(accepted as integer) as accepted,
    cast(revisions as integer) as revisions,
    cast(first_received_at as timestamp) as first_received_at,
    cast(first_accepted_at as timestamp) as first_accepted_at,
    cast(last_accepted_at as timestamp) as last_accepted_at,
    cast(late as integer) as late,
    cast(missing as integer) as missing,
    cast(status as varchar) as status,
    cast({{ vocabulary_label('completeness_statuses', 'status') }} as varchar) as status_label,
    cast(days_late as integer) as days_late,
    cast(submission_ids as varchar[]) as submission_ids,
    cast(as_of_date as date) as as_of_date
from submission_calendar
