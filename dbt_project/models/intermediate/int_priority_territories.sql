-- Every territory of the level a scheme's priority rule names, with the rule's indicator value
-- in the rule's year and the threshold: priority when the value is below it. The threshold is
-- the scheme's number, or the value of the scheme's whole area that year. A territory without
-- a value (no children under 3, say) cannot be compared and is not priority.
with rules as (
    select * from {{ ref('stg_schemes__priority_rules') }}
),

values_yearly as (
    select * from {{ ref('int_indicator_values_yearly') }}
),

area_values as (
    select
        scheme_id,
        indicator_code,
        year,
        indicator_value
    from values_yearly
    where territory_level in ('departement', 'perimetre')
),

compared as (
    select
        rules.scheme_id,
        rules.territory_level,
        values_yearly.territory_code,
        rules.indicator_code,
        rules.rule_year,
        rules.threshold_reference,
        values_yearly.indicator_value as rule_value,
        case
            when rules.threshold_reference = 'departement' then area_values.indicator_value
            else rules.threshold
        end as threshold
    from rules
    inner join values_yearly
        on
            rules.scheme_id = values_yearly.scheme_id
            and rules.indicator_code = values_yearly.indicator_code
            and rules.territory_level = values_yearly.territory_level
            and rules.rule_year = values_yearly.year
    left join area_values
        on
            rules.scheme_id = area_values.scheme_id
            and rules.indicator_code = area_values.indicator_code
            and rules.rule_year = area_values.year
)

select
    *,
    coalesce(rule_value < threshold, false) as is_priority
from compared
