-- One row per partner and kind of file of the registry: how its expected periods turned out,
-- and the on-time rate over the periods whose outcome is settled (on time, late or missing;
-- a period still pending is left out of the rate). Files received that meet no expected
-- period (no readable period, a year outside the schemes, a period longer than the cadence
-- asks for, or only part of one) are counted rather than dropped. Statuses and matches come
-- from the submission calendar (orchestration/calendar.py); this model only counts codes.

with completeness as (
    select * from {{ ref('fct_submission_completeness') }}
),

calendar_files as (
    select * from {{ ref('stg_calendar__submission_calendar_files') }}
),

as_of as (
    select max(dates.as_of_date) as as_of_date
    from (
        select as_of_date from completeness
        union all
        select as_of_date from calendar_files
    ) as dates
),

outcomes as (
    select
        partner_code,
        submission_kind,
        count(*) as periods_expected,
        count(*) filter (where status = 'on_time') as periods_on_time,
        count(*) filter (where status = 'late') as periods_late,
        count(*) filter (where status = 'missing') as periods_missing,
        count(*) filter (where status = 'pending') as periods_pending,
        sum(revisions) as revisions
    from completeness
    group by partner_code, submission_kind
),

files as (
    select
        partner_code,
        submission_kind,
        count(*) as files_received,
        count(*) filter (where not matched) as files_unmatched
    from calendar_files
    group by partner_code, submission_kind
)

select
    cast(registry.partner_code as varchar) as partner_code,
    cast(registry.submission_kind as varchar) as submission_kind,
    cast(registry.cadence as varchar) as cadence,
    cast({{ vocabulary_label('submission_kinds', 'registry.submission_kind') }} as varchar)
        as submission_kind_label,
    cast({{ vocabulary_label('granularities', 'registry.cadence') }} as varchar) as cadence_label,
    cast(registry.deadline_days as integer) as deadline_days,
    cast(coalesce(outcomes.periods_expected, 0) as integer) as periods_expected,
    cast(coalesce(outcomes.periods_on_time, 0) as integer) as periods_on_time,
    cast(coalesce(outcomes.periods_late, 0) as integer) as periods_late,
    cast(coalesce(outcomes.periods_missing, 0) as integer) as periods_missing,
    cast(coalesce(outcomes.periods_pending, 0) as integer) as periods_pending,
    cast(coalesce(outcomes.revisions, 0) as integer) as revisions,
    cast(coalesce(files.files_received, 0) as integer) as files_received,
    cast(coalesce(files.files_unmatched, 0) as integer) as files_unmatched,
    cast(
        outcomes.periods_on_time
        / nullif(outcomes.periods_expected - outcomes.periods_pending, 0)
        as double
    ) as on_time_rate,
    cast(as_of.as_of_date as date) as as_of_date
from {{ ref('stg_schemes__partner_submissions') }} as registry
cross join as_of
left join outcomes
    on
        registry.partner_code = outcomes.partner_code
        and registry.submission_kind = outcomes.submission_kind
left join files
    on
        registry.partner_code = files.partner_code
        and registry.submission_kind = files.submission_kind
