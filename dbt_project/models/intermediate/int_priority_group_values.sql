-- Indicator values of two groups of territories: the scheme's priority territories
-- (level 'prioritaire') and the others of the same level ('hors_prioritaire'). Numerators and
-- denominators of the members are summed before dividing: a group's rate is never an average
-- of its members' rates.
with groups as (
    select
        scheme_id,
        territory_level as member_level,
        territory_code as member_code,
        case when is_priority then 'prioritaire' else 'hors_prioritaire' end as group_level
    from {{ ref('int_priority_territories') }}
),

values_yearly as (
    select * from {{ ref('int_indicator_values_yearly') }}
),

indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

summed as (
    select
        values_yearly.scheme_id,
        values_yearly.indicator_code,
        groups.group_level as territory_level,
        groups.group_level as territory_code,
        values_yearly.year,
        {{ exact_sum('values_yearly.numerator') }} as numerator,
        {{ exact_sum('values_yearly.denominator') }} as denominator
    from values_yearly
    inner join groups
        on
            values_yearly.scheme_id = groups.scheme_id
            and values_yearly.territory_level = groups.member_level
            and values_yearly.territory_code = groups.member_code
    group by all
),

with_baseline as (
    select
        summed.*,
        indicators.factor,
        indicators.has_denominator,
        indicators.share_level,
        indicators.is_change_since_baseline,
        max(case when summed.year = indicators.baseline_year then summed.numerator end)
            over (
                partition by summed.scheme_id, summed.indicator_code, summed.territory_level
            )
            as baseline_numerator
    from summed
    inner join indicators
        on
            summed.scheme_id = indicators.scheme_id
            and summed.indicator_code = indicators.indicator_code
)

select
    scheme_id,
    indicator_code,
    territory_level,
    territory_code,
    year,
    numerator,
    denominator,
    {{ indicator_value(
        'factor', 'numerator', 'denominator', 'has_denominator', 'share_level',
        'is_change_since_baseline', 'baseline_numerator'
    ) }} as indicator_value
from with_baseline
