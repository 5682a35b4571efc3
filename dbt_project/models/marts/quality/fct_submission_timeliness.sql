-- One row per partner and kind of file of the registry: how its expected periods turned out,
-- and the on-time rate over the periods whose outcome is settled (on time, late or missing;
-- a period still « attendu » is left out of the rate). Files received that meet no expected
-- period (no readable period, a year outside the schemes, a period longer than the cadence
-- asks for, or only part of one) are counted rather than dropped.
{%- set as_of_var = var('as_of_date', none) %}

with as_of as (
    select
        {% if as_of_var -%}
            cast('{{ as_of_var }}' as date)
        {%- else -%}
            current_date
        {%- endif %} as as_of_date
),

completeness as (
    select * from {{ ref('fct_submission_completeness') }}
),

outcomes as (
    select
        partner_code,
        submission_kind,
        count(*) as periods_expected,
        count(*) filter (where status = 'à l''heure') as periods_on_time,
        count(*) filter (where status = 'en retard') as periods_late,
        count(*) filter (where status = 'manquant') as periods_missing,
        count(*) filter (where status = 'attendu') as periods_pending,
        sum(revisions) as revisions
    from completeness
    group by partner_code, submission_kind
),

matched_files as (
    select distinct
        completeness.partner_code,
        completeness.submission_kind,
        covering.submission_id
    from completeness
    cross join unnest(completeness.submission_ids) as covering (submission_id)
),

files as (
    select
        submissions.partner_code,
        submissions.submission_kind,
        count(*) as files_received,
        count(*) filter (where matched_files.submission_id is null) as files_unmatched
    from {{ ref('stg_submissions__submissions') }} as submissions
    cross join as_of
    left join matched_files
        on submissions.submission_id = matched_files.submission_id
    where cast(submissions.received_at as date) <= as_of.as_of_date
    group by submissions.partner_code, submissions.submission_kind
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
