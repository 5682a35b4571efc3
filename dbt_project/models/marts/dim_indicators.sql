-- Indicators with their place in the scheme (action, axis) and their final target.
with indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

actions as (
    select * from {{ ref('stg_schemes__actions') }}
),

final_targets as (
    select
        scheme_id,
        indicator_code,
        max(target_year) as final_target_year,
        arg_max(target_value, target_year) as final_target_value
    from {{ ref('stg_schemes__indicator_targets') }}
    where territory_code is null
    group by all
)

select
    cast(indicators.scheme_id as varchar) as scheme_id,
    cast(indicators.indicator_code as varchar) as indicator_code,
    -- `label` (a non-reserved keyword in DuckDB) is the published name of the title.
    cast(indicators.label as varchar) as label,  -- noqa: RF04
    cast(indicators.action_code as varchar) as action_code,
    cast(actions.axis_code as varchar) as axis_code,
    cast(indicators.unit as varchar) as unit,
    cast(indicators.direction as varchar) as direction,
    cast(indicators.factor as double) as factor,
    cast(indicators.baseline_year as integer) as baseline_year,
    cast(indicators.baseline_value as double) as baseline_value,
    cast(final_targets.final_target_year as integer) as final_target_year,
    cast(final_targets.final_target_value as double) as final_target_value,
    cast(indicators.weight as double) as weight,
    cast(indicators.trajectory_method as varchar) as trajectory_method,
    cast(indicators.natural_limit as double) as natural_limit,
    cast(indicators.is_illustrative as boolean) as illustrative,
    cast(indicators.note as varchar) as note,
    cast(indicators.formula_text as varchar) as formula_text,
    cast(indicators.has_denominator as boolean) as has_denominator,
    cast(indicators.share_level as varchar) as share_level,
    cast(indicators.is_change_since_baseline as boolean) as change_since_baseline,
    cast(indicators.source_text as varchar) as source_text
from indicators
left join actions
    on indicators.scheme_id = actions.scheme_id and indicators.action_code = actions.action_code
left join final_targets
    on
        indicators.scheme_id = final_targets.scheme_id
        and indicators.indicator_code = final_targets.indicator_code
