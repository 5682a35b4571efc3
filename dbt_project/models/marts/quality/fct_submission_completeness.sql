-- One row per partner, kind of file and period the partner registry expects, with what arrived.
--
-- Expected periods: the cadence of each (partner, kind) of sources/partners.yaml, over the
-- years of the schemes of the partner's départements, from the first period that has started
-- on `as_of_date`. Files count only if received on or before `as_of_date`, so that a past
-- date gives the situation as it was then (and tests give the same answer every day).
--
-- A file meets an expected period when the periods it reports that lie within that period,
-- taken together, cover all its months: an annual expectation for 2017 is met by a file for
-- 2017, or for its four quarters, or for its twelve months; a quarterly one (2017-T2) by a file
-- for 2017-T2 or for April, May and June. A file for a longer period (an annual file for a
-- quarterly expectation) does not meet it: it lacks the detail the cadence asks for. Neither
-- does a file covering part of the period only.
{%- set as_of_var = var('as_of_date', none) %}

with as_of as (
    select
        {% if as_of_var -%}
            cast('{{ as_of_var }}' as date)
        {%- else -%}
            current_date
        {%- endif %} as as_of_date
),

registry as (
    select
        partner_code,
        submission_kind,
        cadence,
        deadline_days,
        case cadence
            when 'year' then 12
            when 'quarter' then 3
            when 'month' then 1
        end as months_per_period
    from {{ ref('stg_schemes__partner_submissions') }}
),

partner_years as (
    select distinct
        partner_departements.partner_code,
        cast(years.period_year as integer) as period_year
    from {{ ref('stg_schemes__partner_departements') }} as partner_departements
    inner join {{ ref('stg_schemes__schemes') }} as schemes
        on partner_departements.departement_code = schemes.departement_code
    cross join range(schemes.start_year, schemes.end_year + 1) as years (period_year)
),

periods as (
    select
        registry.partner_code,
        registry.submission_kind,
        registry.cadence,
        registry.deadline_days,
        registry.months_per_period,
        partner_years.period_year,
        cast(positions.period_position as integer) as period_position,
        make_date(
            partner_years.period_year,
            cast((positions.period_position - 1) * registry.months_per_period + 1 as integer),
            1
        ) as period_start
    from registry
    inner join partner_years on registry.partner_code = partner_years.partner_code
    cross join range(1, 12 // registry.months_per_period + 1) as positions (period_position)
),

expected as (
    select
        periods.partner_code,
        periods.submission_kind,
        periods.cadence,
        periods.deadline_days,
        periods.months_per_period,
        periods.period_year,
        periods.period_start,
        as_of.as_of_date,
        -- cadences and period types are the same codes (granularities)
        periods.cadence as period_type,
        cast(
            periods.period_start + to_months(periods.months_per_period) - interval 1 day as date
        ) as period_end,
        case periods.cadence
            when 'year' then cast(periods.period_year as varchar)
            when 'quarter' then printf('%d-T%d', periods.period_year, periods.period_position)
            when 'month' then printf('%d-%02d', periods.period_year, periods.period_position)
        end as period
    from periods
    cross join as_of
    where periods.period_start <= as_of.as_of_date
),

files as (
    select
        submissions.submission_id,
        submissions.partner_code,
        submissions.submission_kind,
        submissions.received_at,
        submissions.periods,
        submissions.submission_status = 'acceptee' as is_accepted
    from {{ ref('stg_submissions__submissions') }} as submissions
    cross join as_of
    where cast(submissions.received_at as date) <= as_of.as_of_date
),

-- Each canonical period a file reports (2017, 2017-T2, 2017-03), as a start and a length.
file_periods as (
    select
        files.submission_id,
        files.partner_code,
        files.submission_kind,
        files.received_at,
        files.is_accepted,
        case
            when regexp_full_match(reported.period_code, '\d{4}')
                then make_date(cast(left(reported.period_code, 4) as integer), 1, 1)
            when regexp_full_match(reported.period_code, '\d{4}-T[1-4]')
                then make_date(
                    cast(left(reported.period_code, 4) as integer),
                    3 * cast(right(reported.period_code, 1) as integer) - 2,
                    1
                )
            when regexp_full_match(reported.period_code, '\d{4}-\d{2}')
                then make_date(
                    cast(left(reported.period_code, 4) as integer),
                    cast(right(reported.period_code, 2) as integer),
                    1
                )
        end as reported_start,
        case
            when regexp_full_match(reported.period_code, '\d{4}') then 12
            when regexp_full_match(reported.period_code, '\d{4}-T[1-4]') then 3
            when regexp_full_match(reported.period_code, '\d{4}-\d{2}') then 1
        end as reported_months
    from files
    cross join unnest(files.periods) as reported (period_code)
),

file_months as (
    select
        file_periods.*,
        cast(
            file_periods.reported_start + to_months(file_periods.reported_months)
            - interval 1 day as date
        ) as reported_end,
        file_periods.reported_start
        + to_months(cast(steps.month_step as integer)) as month_start
    from file_periods
    cross join range(0, file_periods.reported_months) as steps (month_step)
    where file_periods.reported_start is not null
),

-- The files that meet each expected period (see the rule at the top).
covering_files as (
    select
        expected.partner_code,
        expected.submission_kind,
        expected.period,
        file_months.submission_id,
        file_months.received_at,
        file_months.is_accepted
    from expected
    inner join file_months
        on
            expected.partner_code = file_months.partner_code
            and expected.submission_kind = file_months.submission_kind
            and expected.period_start <= file_months.reported_start
            and expected.period_end >= file_months.reported_end
    group by
        expected.partner_code,
        expected.submission_kind,
        expected.period,
        expected.months_per_period,
        file_months.submission_id,
        file_months.received_at,
        file_months.is_accepted
    having count(distinct file_months.month_start) = expected.months_per_period
),

received as (
    select
        partner_code,
        submission_kind,
        period,
        count(*) as files_received,
        count(*) filter (where is_accepted) as files_accepted,
        min(received_at) as first_received_at,
        min(received_at) filter (where is_accepted) as first_accepted_at,
        max(received_at) filter (where is_accepted) as last_accepted_at,
        list_sort(list(submission_id)) as submission_ids
    from covering_files
    group by partner_code, submission_kind, period
),

assessed as (
    select
        expected.*,
        received.first_received_at,
        received.first_accepted_at,
        received.last_accepted_at,
        coalesce(received.files_received, 0) as files_received,
        coalesce(received.files_accepted, 0) as files_accepted,
        coalesce(received.submission_ids, []) as submission_ids,
        expected.period_end + expected.deadline_days as deadline_date
    from expected
    left join received
        on
            expected.partner_code = received.partner_code
            and expected.submission_kind = received.submission_kind
            and expected.period = received.period
),

-- A file received on the deadline day is on time; only accepted files can be: a rejected file
-- sent on time and corrected after the deadline makes the period late.
flagged as (
    select
        *,
        files_accepted > 0 as is_accepted,
        files_accepted > 0 and cast(first_accepted_at as date) <= deadline_date as is_on_time,
        as_of_date > deadline_date as is_past_deadline
    from assessed
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
    cast(files_received as integer) as received,
    cast(is_accepted as integer) as accepted,
    cast(greatest(files_accepted - 1, 0) as integer) as revisions,
    cast(first_received_at as timestamp) as first_received_at,
    cast(first_accepted_at as timestamp) as first_accepted_at,
    cast(last_accepted_at as timestamp) as last_accepted_at,
    cast(
        (is_accepted and not is_on_time) or (not is_accepted and is_past_deadline)
        as integer
    ) as late,
    cast(not is_accepted and is_past_deadline as integer) as missing,
    cast(
        case
            when is_on_time then 'à l''heure'
            when is_accepted then 'en retard'
            when is_past_deadline then 'manquant'
            else 'attendu'
        end as varchar
    ) as status,
    cast(
        case
            when is_on_time then 0
            when is_accepted then date_diff('day', deadline_date, cast(first_accepted_at as date))
            when is_past_deadline then date_diff('day', deadline_date, as_of_date)
        end as integer
    ) as days_late,
    cast(submission_ids as varchar[]) as submission_ids,
    cast(as_of_date as date) as as_of_date
from flagged
