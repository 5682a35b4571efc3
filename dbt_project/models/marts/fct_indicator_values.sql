-- One row per scheme, indicator, territory and year: the value with its numerator and
-- denominator, the baseline, the target for that year, the expected value on the trajectory,
-- the progress made and a status (a code, with its French label).
with values_yearly as (
    select * from {{ ref('int_indicator_values_yearly') }}
    union all
    -- the group of priority territories and the rest, as two more territories
    select * from {{ ref('int_priority_group_values') }}
),

-- Quarterly values (hours-based rates) are compared with the targets of their year.
all_periods as (
    select
        *,
        cast(year as varchar) as period,
        'year' as period_type
    from values_yearly
    union all by name
    select
        *,
        'quarter' as period_type
    from {{ ref('int_indicator_values_quarterly') }}
),

trajectories as (
    select * from {{ ref('int_indicator_trajectories') }}
),

indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

territories as (
    select * from {{ ref('dim_territories') }}
),

-- A territory without a target of its own still gets its baseline: its value that year.
own_baselines as (
    select
        values_yearly.scheme_id,
        values_yearly.indicator_code,
        values_yearly.territory_level,
        values_yearly.territory_code,
        values_yearly.indicator_value as baseline_value
    from values_yearly
    inner join indicators
        on
            values_yearly.scheme_id = indicators.scheme_id
            and values_yearly.indicator_code = indicators.indicator_code
            and values_yearly.year = indicators.baseline_year
),

joined as (
    select
        period_values.scheme_id,
        period_values.indicator_code,
        period_values.territory_level,
        period_values.territory_code,
        territories.territory_name,
        period_values.year,
        period_values.numerator,
        period_values.denominator,
        indicators.direction,
        trajectories.target_value,
        trajectories.expected_value,
        trajectories.final_target_value,
        trajectories.is_target_year,
        period_values.period,
        period_values.period_type,
        period_values.indicator_value as value,  -- noqa: RF04
        coalesce(trajectories.baseline_year, indicators.baseline_year) as baseline_year,
        coalesce(trajectories.baseline_value, own_baselines.baseline_value) as baseline_value
    from all_periods as period_values
    inner join indicators
        on
            period_values.scheme_id = indicators.scheme_id
            and period_values.indicator_code = indicators.indicator_code
    left join trajectories
        on
            period_values.scheme_id = trajectories.scheme_id
            and period_values.indicator_code = trajectories.indicator_code
            and period_values.territory_level = trajectories.territory_level
            and period_values.territory_code = trajectories.territory_code
            and period_values.year = trajectories.year
    left join own_baselines
        on
            period_values.scheme_id = own_baselines.scheme_id
            and period_values.indicator_code = own_baselines.indicator_code
            and period_values.territory_level = own_baselines.territory_level
            and period_values.territory_code = own_baselines.territory_code
    left join territories
        on
            period_values.scheme_id = territories.scheme_id
            and period_values.territory_level = territories.territory_level
            and period_values.territory_code = territories.territory_code
),

-- Signed so that "better" is always positive, whatever the indicator's direction.
scored as (
    select
        *,
        case when direction = 'down' then -1 else 1 end as sense
    from joined
),

-- A code of the progress_statuses of sources/vocabulary.yaml.
statused as (
    select
        *,
        case
            when value is null then 'missing_data'
            when final_target_value is null then 'no_target'
            when sense * (value - final_target_value) >= 0 then 'target_met'
            -- the target the scheme declares for this very year (an intermediate one) is met
            when is_target_year and sense * (value - target_value) >= 0 then 'target_met'
            -- no target applies yet this year (before the first point of the trajectory)
            when expected_value is null then 'no_target'
            when sense * (value - expected_value) >= 0 then 'on_track'
            else 'behind'
        end as status
    from scored
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(indicator_code as varchar) as indicator_code,
    cast(territory_level as varchar) as territory_level,
    cast(territory_code as varchar) as territory_code,
    cast(territory_name as varchar) as territory_name,
    cast(period as varchar) as period,
    cast(period_type as varchar) as period_type,
    -- `year` and `value` are non-reserved keywords in DuckDB, and the names pages query.
    cast(year as integer) as year,  -- noqa: RF04
    cast(value as double) as value,  -- noqa: RF04
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(baseline_year as integer) as baseline_year,
    cast(baseline_value as double) as baseline_value,
    cast(target_value as double) as target_value,
    cast(expected_value as double) as expected_value,
    cast(
        case
            when final_target_value is not null and final_target_value != baseline_value
                then (value - baseline_value) / (final_target_value - baseline_value)
        end as double
    ) as progress,
    cast(status as varchar) as status,
    cast({{ vocabulary_label('progress_statuses', 'statused.status') }} as varchar) as status_label,
    -- the same share for the expected value: where the trajectory says progress should be
    cast(
        case
            when final_target_value is not null and final_target_value != baseline_value
                then (expected_value - baseline_value) / (final_target_value - baseline_value)
        end as double
    ) as expected_progress
from statused
