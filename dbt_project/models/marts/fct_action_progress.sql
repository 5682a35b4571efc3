-- Progress of each action per year. An action an indicator follows (basis `indicators`) is
-- measured from its indicators at the scheme's whole area (the département, or the perimeter
-- of a charte): the mean of their progress weighted by each indicator's weight. An indicator's
-- progress counts at most 1: passing one target does not make up for another's delay.
-- Indicators without a value that year are listed, not dropped. Any other action takes its
-- basis, progress and status from the rule of int_action_progress_by_milestones (milestones
-- and reported state), the one place that rule is written.
{%- set indicator_status = progress_status(
    'by_indicators.indicators_expected', 'by_indicators.progress',
    'by_indicators.expected_progress'
) %}

with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
    where territory_level in ('departement', 'perimetre') and period_type = 'year'
),

indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

actions as (
    select * from {{ ref('stg_schemes__actions') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

by_milestones as (
    select * from {{ ref('int_action_progress_by_milestones') }}
),

scheme_years as (
    select
        scheme_id,
        -- `year` is a non-reserved keyword in DuckDB, and the name every model uses.
        unnest(range(start_year, end_year + 1)) as year  -- noqa: RF04
    from schemes
),

indicator_years as (
    select
        indicators.scheme_id,
        indicators.action_code,
        indicators.indicator_code,
        indicators.weight,
        scheme_years.year,
        -- not least(): DuckDB's least() skips nulls, and a missing progress must stay null
        case
            when indicator_values.progress > 1 then 1 else indicator_values.progress
        end as progress,
        case
            when indicator_values.expected_progress > 1 then 1
            else coalesce(indicator_values.expected_progress, 0)
        end as expected_progress
    from indicators
    inner join scheme_years on indicators.scheme_id = scheme_years.scheme_id
    left join indicator_values
        on
            indicators.scheme_id = indicator_values.scheme_id
            and indicators.indicator_code = indicator_values.indicator_code
            and scheme_years.year = indicator_values.year
),

rolled as (
    select
        actions.scheme_id,
        actions.axis_code,
        actions.action_code,
        scheme_years.year,
        count(indicator_years.indicator_code) as indicators_expected,
        count(indicator_years.progress) as indicators_with_value,
        string_agg(
            case when indicator_years.progress is null then indicator_years.indicator_code end,
            ', '
            order by indicator_years.indicator_code
        ) as missing_indicator_codes,
        {{ exact_sum('indicator_years.weight', 'indicator_years.progress is not null') }}
            as weight_with_value,
        {{ exact_sum('indicator_years.weight * indicator_years.progress') }} as weighted_progress,
        {{ exact_sum(
            'indicator_years.weight * indicator_years.expected_progress',
            'indicator_years.progress is not null'
        ) }} as weighted_expected
    from actions
    inner join scheme_years on actions.scheme_id = scheme_years.scheme_id
    left join indicator_years
        on
            actions.scheme_id = indicator_years.scheme_id
            and actions.action_code = indicator_years.action_code
            and scheme_years.year = indicator_years.year
    group by all
),

by_indicators as (
    select
        *,
        weighted_progress / weight_with_value as progress,
        weighted_expected / weight_with_value as expected_progress
    from rolled
),

scored as (
    select
        by_indicators.* exclude (progress, expected_progress),
        by_milestones.basis,
        by_milestones.milestones_expected,
        by_milestones.milestones_due,
        by_milestones.milestones_reached,
        by_milestones.action_state,
        by_milestones.state_period,
        case
            when by_milestones.basis = 'indicators' then by_indicators.progress
            else by_milestones.progress
        end as progress,
        case
            when by_milestones.basis = 'indicators' then by_indicators.expected_progress
            else by_milestones.expected_progress
        end as expected_progress,
        case
            when by_milestones.basis = 'indicators' then {{ indicator_status }}
            else by_milestones.status
        end as status
    from by_indicators
    inner join by_milestones
        on
            by_indicators.scheme_id = by_milestones.scheme_id
            and by_indicators.action_code = by_milestones.action_code
            and by_indicators.year = by_milestones.year
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(axis_code as varchar) as axis_code,
    cast(action_code as varchar) as action_code,
    -- `year` is a non-reserved keyword in DuckDB, and the name pages query.
    cast(year as integer) as year,  -- noqa: RF04
    cast(indicators_expected as integer) as indicators_expected,
    cast(indicators_with_value as integer) as indicators_with_value,
    cast(indicators_expected - indicators_with_value as integer) as indicators_missing,
    cast(missing_indicator_codes as varchar) as missing_indicator_codes,
    cast(weight_with_value as double) as weight_with_value,
    cast(progress as double) as progress,
    cast(expected_progress as double) as expected_progress,
    cast(status as varchar) as status,
    cast({{ vocabulary_label('progress_statuses', 'scored.status') }} as varchar) as status_label,
    cast(basis as varchar) as basis,
    cast({{ vocabulary_label('progress_bases', 'scored.basis') }} as varchar) as basis_label,
    cast(milestones_expected as integer) as milestones_expected,
    cast(milestones_due as integer) as milestones_due,
    cast(milestones_reached as integer) as milestones_reached,
    cast(action_state as varchar) as action_state,
    cast({{ vocabulary_label('action_states', 'scored.action_state') }} as varchar)
        as action_state_label,
    cast(state_period as varchar) as state_period
from scored
