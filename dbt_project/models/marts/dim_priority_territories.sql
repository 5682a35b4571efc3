-- Each scheme's priority territories as its rule computes them, with the territories the rule
-- compared and left out, so that every decision can be checked: value, threshold, outcome.
with priority as (
    select * from {{ ref('int_priority_territories') }}
),

territories as (
    select * from {{ ref('dim_territories') }}
)

select
    cast(priority.scheme_id as varchar) as scheme_id,
    cast(priority.territory_level as varchar) as territory_level,
    cast(priority.territory_code as varchar) as territory_code,
    cast(territories.territory_name as varchar) as territory_name,
    cast(priority.indicator_code as varchar) as rule_indicator_code,
    cast(priority.rule_year as integer) as rule_year,
    cast(priority.rule_value as double) as rule_value,
    cast(priority.threshold as double) as threshold,
    cast(priority.threshold_reference as varchar) as threshold_reference,
    cast(priority.is_priority as boolean) as is_priority
from priority
left join territories
    on
        priority.scheme_id = territories.scheme_id
        and priority.territory_level = territories.territory_level
        and priority.territory_code = territories.territory_code
