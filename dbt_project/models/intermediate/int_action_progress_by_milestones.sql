-- THE RULE for the actions no indicator measures (the one place it is written; the method page
-- states it). For each action and year Y of its scheme, with M its milestones:
--   basis: `indicators` when an indicator follows the action (fct_action_progress rolls them
--     up), else `milestones` when M is not empty, else `none` (no_indicator: nothing follows it);
--   progress: the share of M reached (a reported date on or before 31 December of Y), but null
--     (missing_data) while no action report on the action covers a period of Y or earlier, and 1
--     when the latest state reported up to Y is REALISEE;
--   expected progress: the share of M due on or before 31 December of Y (milestones lie within
--     the scheme's period, so the last year expects them all);
--   status: `abandoned` when that latest state is ABANDONNEE (its progress still counts in the
--     roll-ups), else progress_status() as for indicators.
-- The latest reported state is given for every action, whatever its basis.
with actions as (
    select * from {{ ref('stg_schemes__actions') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

indicator_counts as (
    select
        scheme_id,
        action_code,
        count(*) as indicator_count
    from {{ ref('stg_schemes__indicators') }}
    group by scheme_id, action_code
),

milestones as (
    select * from {{ ref('int_action_milestones_reached') }}
),

reports as (
    select
        revisions.*,
        actions.scheme_id
    from {{ ref('int_action_reports_latest_revision') }} as revisions
    inner join actions on revisions.action_code = actions.action_code
),

action_years as (
    select
        actions.scheme_id,
        actions.axis_code,
        actions.action_code,
        -- `year` is a non-reserved keyword in DuckDB, and the name every model uses.
        years.year,  -- noqa: RF04
        make_date(years.year, 12, 31) as year_end,
        coalesce(indicator_counts.indicator_count, 0) as indicator_count
    from actions
    inner join schemes on actions.scheme_id = schemes.scheme_id
    cross join unnest(range(schemes.start_year, schemes.end_year + 1)) as years (year)
    left join indicator_counts
        on
            actions.scheme_id = indicator_counts.scheme_id
            and actions.action_code = indicator_counts.action_code
),

milestone_counts as (
    select
        action_years.scheme_id,
        action_years.action_code,
        action_years.year,
        count(milestones.milestone_code) as milestones_expected,
        count(milestones.milestone_code) filter (
            where milestones.due_date <= action_years.year_end
        ) as milestones_due,
        count(milestones.milestone_code) filter (
            where milestones.reached_date <= action_years.year_end
        ) as milestones_reached
    from action_years
    left join milestones
        on
            action_years.scheme_id = milestones.scheme_id
            and action_years.action_code = milestones.action_code
    group by action_years.scheme_id, action_years.action_code, action_years.year
),

latest_states as (
    -- The latest report covering a period of Y or earlier: the latest period, then the file
    -- received last (two partners of the action may report on the same period).
    select
        action_years.scheme_id,
        action_years.action_code,
        action_years.year,
        reports.action_state,
        reports.period as state_period
    from action_years
    inner join reports
        on
            action_years.scheme_id = reports.scheme_id
            and action_years.action_code = reports.action_code
            and action_years.year >= reports.period_year
    qualify row_number() over (
        partition by action_years.scheme_id, action_years.action_code, action_years.year
        order by
            reports.period_end desc, reports.received_at desc, reports.submission_id desc,
            reports.source_line asc
    ) = 1
),

measured as (
    select
        action_years.*,
        milestone_counts.milestones_expected,
        milestone_counts.milestones_due,
        milestone_counts.milestones_reached,
        latest_states.action_state,
        latest_states.state_period,
        case
            when action_years.indicator_count > 0 then 'indicators'
            when milestone_counts.milestones_expected > 0 then 'milestones'
            else 'none'
        end as basis
    from action_years
    inner join milestone_counts
        on
            action_years.scheme_id = milestone_counts.scheme_id
            and action_years.action_code = milestone_counts.action_code
            and action_years.year = milestone_counts.year
    left join latest_states
        on
            action_years.scheme_id = latest_states.scheme_id
            and action_years.action_code = latest_states.action_code
            and action_years.year = latest_states.year
),

scored as (
    select
        *,
        case
            when basis <> 'milestones' or action_state is null then null
            when action_state = 'REALISEE' then 1.0
            else cast(milestones_reached as double) / milestones_expected
        end as progress,
        case
            when basis = 'milestones' then cast(milestones_due as double) / milestones_expected
        end as expected_progress
    from measured
)

{%- set status = progress_status('milestones_expected', 'progress', 'expected_progress') %}

select
    scheme_id,
    axis_code,
    action_code,
    year,  -- noqa: RF04
    basis,
    cast(milestones_expected as integer) as milestones_expected,
    cast(milestones_due as integer) as milestones_due,
    cast(milestones_reached as integer) as milestones_reached,
    action_state,
    state_period,
    cast(progress as double) as progress,
    cast(expected_progress as double) as expected_progress,
    case
        when basis = 'indicators' then null
        when basis = 'milestones' and action_state = 'ABANDONNEE' then 'abandoned'
        else {{ status }}
    end as status
from scored
