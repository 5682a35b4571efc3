-- Target and expected value per indicator, territory and year. Points are the baseline and the
-- targets the scheme gives; the trajectory passes through every one of them in order (baseline,
-- each intermediate target, final target), linearly or at a constant annual growth rate for
-- method 'cagr' between two points, so the year's expected value is the path's value that
-- year and an intermediate target is what is expected in its year. The scheme's baseline and
-- targets apply to its whole area; a commune or EPCI with targets of its own starts from its
-- own measured value in the baseline year, and without one still gets its targets (but no
-- trajectory before them).
with indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

targets as (
    select * from {{ ref('stg_schemes__indicator_targets') }}
),

values_yearly as (
    select * from {{ ref('int_indicator_values_yearly') }}
),

territory_targets as (
    select
        scheme_id,
        indicator_code,
        territory_code,
        target_year,
        target_value,
        case when length(territory_code) = 9 then 'epci' else 'commune' end as territory_level
    from targets
    where territory_code is not null
),

territory_baselines as (
    select distinct
        values_yearly.scheme_id,
        values_yearly.indicator_code,
        values_yearly.territory_level,
        values_yearly.territory_code,
        values_yearly.year,
        values_yearly.indicator_value
    from values_yearly
    inner join indicators
        on
            values_yearly.scheme_id = indicators.scheme_id
            and values_yearly.indicator_code = indicators.indicator_code
            and values_yearly.year = indicators.baseline_year
    inner join territory_targets
        on
            values_yearly.scheme_id = territory_targets.scheme_id
            and values_yearly.indicator_code = territory_targets.indicator_code
            and values_yearly.territory_level = territory_targets.territory_level
            and values_yearly.territory_code = territory_targets.territory_code
    where values_yearly.indicator_value is not null
),

areas as (
    select distinct
        scheme_id,
        territory_level,
        territory_code
    from {{ ref('int_scheme_territories') }}
    where territory_level in ('departement', 'perimetre')
),

points as (
    select
        indicators.scheme_id,
        indicators.indicator_code,
        areas.territory_level,
        areas.territory_code,
        indicators.baseline_year as point_year,
        indicators.baseline_value as point_value,
        false as is_target
    from indicators
    inner join areas on indicators.scheme_id = areas.scheme_id
    where indicators.baseline_value is not null
    union all
    select
        targets.scheme_id,
        targets.indicator_code,
        areas.territory_level,
        areas.territory_code,
        targets.target_year,
        targets.target_value,
        true as is_target
    from targets
    inner join areas on targets.scheme_id = areas.scheme_id
    where targets.territory_code is null
    union all
    select
        scheme_id,
        indicator_code,
        territory_level,
        territory_code,
        year,
        indicator_value,
        false as is_target
    from territory_baselines
    union all
    select
        scheme_id,
        indicator_code,
        territory_level,
        territory_code,
        target_year,
        target_value,
        true as is_target
    from territory_targets
),

bounds as (
    select
        scheme_id,
        indicator_code,
        territory_level,
        territory_code,
        max(point_year) as final_year,
        arg_max(point_value, point_year) as final_value,
        min(point_year) filter (where not is_target) as baseline_year,
        arg_min(point_value, point_year) filter (where not is_target) as baseline_value,
        bool_or(is_target) as has_target
    from points
    group by all
),

years as (
    select
        bounds.*,
        indicators.trajectory_method,
        -- `year` is a non-reserved keyword in DuckDB, and the name every later model uses.
        unnest(range(indicators.baseline_year, schemes.end_year + 1)) as year  -- noqa: RF04
    from bounds
    inner join indicators
        on
            bounds.scheme_id = indicators.scheme_id
            and bounds.indicator_code = indicators.indicator_code
    inner join schemes on bounds.scheme_id = schemes.scheme_id
),

neighbours as (
    select
        years.scheme_id,
        years.indicator_code,
        years.territory_level,
        years.territory_code,
        years.year,
        years.trajectory_method,
        years.final_year,
        years.final_value,
        years.baseline_year,
        years.baseline_value,
        years.has_target,
        max(points.point_year) filter (where points.point_year <= years.year) as prev_year,
        arg_max(points.point_value, points.point_year) filter (
            where points.point_year <= years.year
        ) as prev_value,
        min(points.point_year) filter (where points.point_year >= years.year) as next_year,
        arg_min(points.point_value, points.point_year) filter (
            where points.point_year >= years.year
        ) as next_value,
        coalesce(bool_or(points.is_target and points.point_year = years.year), false)
            as is_target_year
    from years
    inner join points
        on
            years.scheme_id = points.scheme_id
            and years.indicator_code = points.indicator_code
            and years.territory_level = points.territory_level
            and years.territory_code = points.territory_code
    group by all
),

paths as (
    select
        *,
        -- before the first point there is no path; after the final target it holds
        {{ interpolate(
            'prev_year', 'prev_value', 'next_year', 'next_value', 'year', 'trajectory_method'
        ) }} as path_value
    from neighbours
    -- A baseline alone is no trajectory.
    where has_target
)

select
    scheme_id,
    indicator_code,
    territory_level,
    territory_code,
    year,
    baseline_year,
    baseline_value,
    final_year as final_target_year,
    final_value as final_target_value,
    -- The target of the year and the value expected on the trajectory are the same path: kept
    -- as two columns because the marts and pages name both.
    path_value as target_value,
    path_value as expected_value,
    -- a year the scheme (or the territory) declares a target for
    is_target_year
from paths
