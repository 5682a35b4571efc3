-- How unequal an indicator is between the communes (or EPCI) of a scheme, per period: spread,
-- the ratio of the best-equipped fifth to the worst-equipped fifth (the CNAF's measure between
-- départements, here between the scheme's territories), the coefficient of variation, the
-- territories on the wrong side of a threshold, and the gap between priority territories and
-- the rest. Territories without a value (no denominator) are left out and not counted.
with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
),

indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

rules as (
    select * from {{ ref('stg_schemes__priority_rules') }}
),

territory_values as (
    select
        indicator_values.*,
        count(*) over by_level as territories_with_value,
        row_number() over (
            by_level order by indicator_values.value asc, indicator_values.territory_code asc
        ) as rank_low,
        row_number() over (
            by_level order by indicator_values.value desc, indicator_values.territory_code asc
        ) as rank_high
    from indicator_values
    where
        indicator_values.territory_level in ('commune', 'epci')
        and indicator_values.value is not null
    window by_level as (
        partition by
            indicator_values.scheme_id,
            indicator_values.indicator_code,
            indicator_values.territory_level,
            indicator_values.period
    )
),

-- The scheme's rule gives the threshold of its own indicator; any other indicator is compared
-- with the value of the scheme's whole area the same period.
area_values as (
    select
        scheme_id,
        indicator_code,
        period,
        value as area_value
    from indicator_values
    where territory_level in ('departement', 'perimetre')
),

group_values as (
    select
        scheme_id,
        indicator_code,
        period,
        max(value) filter (where territory_level = 'prioritaire') as priority_value,
        max(value) filter (where territory_level = 'hors_prioritaire') as non_priority_value
    from indicator_values
    where territory_level in ('prioritaire', 'hors_prioritaire')
    group by all
),

thresholds as (
    select
        area_values.scheme_id,
        area_values.indicator_code,
        area_values.period,
        case
            when rules.threshold_reference = 'valeur' then rules.threshold
            -- a count for the whole area is no yardstick for one commune's count
            when indicators.has_denominator or indicators.share_level is not null
                then area_values.area_value
        end as threshold_value,
        case
            when rules.indicator_code is not null then 'regle_prioritaire'
            when indicators.has_denominator or indicators.share_level is not null
                then 'valeur_zone_schema'
        end as threshold_source
    from area_values
    inner join indicators
        on
            area_values.scheme_id = indicators.scheme_id
            and area_values.indicator_code = indicators.indicator_code
    left join rules
        on
            area_values.scheme_id = rules.scheme_id
            and area_values.indicator_code = rules.indicator_code
),

judged as (
    select
        territory_values.*,
        thresholds.threshold_value,
        thresholds.threshold_source,
        case
            when indicators.direction = 'down'
                then territory_values.value > thresholds.threshold_value
            else territory_values.value < thresholds.threshold_value
        end as is_behind
    from territory_values
    inner join indicators
        on
            territory_values.scheme_id = indicators.scheme_id
            and territory_values.indicator_code = indicators.indicator_code
    left join thresholds
        on
            territory_values.scheme_id = thresholds.scheme_id
            and territory_values.indicator_code = thresholds.indicator_code
            and territory_values.period = thresholds.period
),

stats as (
    select
        scheme_id,
        indicator_code,
        territory_level,
        period,
        period_type,
        year,
        territories_with_value,
        floor(territories_with_value / 5) as fifth_size,
        min(value) as min_value,
        max(value) as max_value,
        {{ exact_avg('value') }} as mean_value,
        {{ ordered_stddev_pop('value') }} as sd_value,
        {{ exact_avg('value', 'rank_high <= floor(territories_with_value / 5)') }}
            as top_fifth_mean,
        {{ exact_avg('value', 'rank_low <= floor(territories_with_value / 5)') }}
            as bottom_fifth_mean,
        any_value(threshold_value) as threshold_value,
        any_value(threshold_source) as threshold_source,
        count(*) filter (where is_behind) as territories_behind,
        string_agg(case when is_behind then territory_code end, ', ' order by territory_code)
            as territories_behind_codes
    from judged
    group by all
)

select
    cast(stats.scheme_id as varchar) as scheme_id,
    cast(stats.indicator_code as varchar) as indicator_code,
    cast(stats.territory_level as varchar) as territory_level,
    cast(stats.period as varchar) as period,
    cast(stats.period_type as varchar) as period_type,
    -- `year` is a non-reserved keyword in DuckDB, and the name pages query.
    cast(stats.year as integer) as year,  -- noqa: RF04
    cast(stats.territories_with_value as integer) as territories_with_value,
    cast(stats.min_value as double) as min_value,
    cast(stats.max_value as double) as max_value,
    cast(stats.mean_value as double) as mean_value,
    cast(stats.fifth_size as integer) as fifth_size,
    cast(stats.top_fifth_mean as double) as top_fifth_mean,
    cast(stats.bottom_fifth_mean as double) as bottom_fifth_mean,
    cast(
        case
            when stats.bottom_fifth_mean > 0 then stats.top_fifth_mean / stats.bottom_fifth_mean
        end as double
    ) as fifth_ratio,
    cast(case when stats.mean_value > 0 then stats.sd_value / stats.mean_value end as double)
        as coefficient_of_variation,
    cast(stats.threshold_value as double) as threshold_value,
    cast(stats.threshold_source as varchar) as threshold_source,
    cast(case when stats.threshold_value is not null then stats.territories_behind end as integer)
        as territories_behind_threshold,
    cast(stats.territories_behind_codes as varchar) as territories_behind_threshold_codes,
    -- the gap between the two groups, shown on the rows of the level the rule groups
    cast(
        case
            when rules.territory_level = stats.territory_level then group_values.priority_value
        end as double
    ) as priority_value,
    cast(
        case
            when rules.territory_level = stats.territory_level then group_values.non_priority_value
        end as double
    ) as non_priority_value,
    cast(
        case
            when rules.territory_level = stats.territory_level
                then group_values.priority_value - group_values.non_priority_value
        end as double
    ) as priority_gap
from stats
left join rules on stats.scheme_id = rules.scheme_id
left join group_values
    on
        stats.scheme_id = group_values.scheme_id
        and stats.indicator_code = group_values.indicator_code
        and stats.period = group_values.period
