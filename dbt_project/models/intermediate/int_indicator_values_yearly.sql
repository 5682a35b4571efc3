-- Indicator values per territory and year. A year counts once any numerator data exists for
-- the scheme; a territory with no numerator then has zero (no childcare is a real 0 %).
-- A coverage share counts, inside each territory, the territories of its share level whose
-- numerator is > 0 (numerator) among all of them (denominator); a change since the baseline
-- subtracts the territory's numerator in the baseline year.
with indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

terms as (
    select * from {{ ref('int_indicator_terms_evaluated') }}
),

scheme_territories as (
    select * from {{ ref('int_scheme_territories') }}
),

territories as (
    select distinct
        scheme_id,
        territory_level,
        territory_code
    from scheme_territories
),

data_years as (
    select distinct
        terms.scheme_id,
        terms.indicator_code,
        terms.year
    from terms
    inner join indicators
        on
            terms.scheme_id = indicators.scheme_id
            and terms.indicator_code = indicators.indicator_code
    inner join schemes on terms.scheme_id = schemes.scheme_id
    where
        terms.term_role = 'numerator'
        and terms.year between indicators.baseline_year and schemes.end_year
),

grid as (
    select
        data_years.scheme_id,
        data_years.indicator_code,
        territories.territory_level,
        territories.territory_code,
        data_years.year
    from data_years
    inner join territories on data_years.scheme_id = territories.scheme_id
),

pivoted as (
    select
        grid.scheme_id,
        grid.indicator_code,
        grid.territory_level,
        grid.territory_code,
        grid.year,
        coalesce({{ exact_sum('terms.term_value', "terms.term_role = 'numerator'") }}, 0)
            as numerator,
        {{ exact_sum('terms.term_value', "terms.term_role = 'denominator'") }} as denominator
    from grid
    left join terms
        on
            grid.scheme_id = terms.scheme_id
            and grid.indicator_code = terms.indicator_code
            and grid.territory_level = terms.territory_level
            and grid.territory_code = terms.territory_code
            and grid.year = terms.year
    group by all
),

-- Which territories of an indicator's share level lie in each territory (itself included).
share_members as (
    select distinct
        indicators.scheme_id,
        indicators.indicator_code,
        indicators.share_level,
        scheme_territories.fact_code as member_code,
        scheme_territories.territory_level,
        scheme_territories.territory_code
    from indicators
    inner join scheme_territories
        on
            indicators.scheme_id = scheme_territories.scheme_id
            and indicators.share_level = scheme_territories.fact_level
    -- a municipal arrondissement's code is a fact code, not a commune of its own
    inner join territories as members
        on
            scheme_territories.scheme_id = members.scheme_id
            and scheme_territories.fact_level = members.territory_level
            and scheme_territories.fact_code = members.territory_code
),

shares as (
    select
        share_members.scheme_id,
        share_members.indicator_code,
        share_members.territory_level,
        share_members.territory_code,
        pivoted.year,
        cast(count(*) filter (where pivoted.numerator > 0) as double) as numerator,
        cast(count(*) as double) as denominator
    from share_members
    inner join pivoted
        on
            share_members.scheme_id = pivoted.scheme_id
            and share_members.indicator_code = pivoted.indicator_code
            and share_members.share_level = pivoted.territory_level
            and share_members.member_code = pivoted.territory_code
    group by all
),

combined as (
    select pivoted.*
    from pivoted
    inner join indicators
        on
            pivoted.scheme_id = indicators.scheme_id
            and pivoted.indicator_code = indicators.indicator_code
    where indicators.share_level is null
    union all
    select * from shares
),

with_baseline as (
    select
        combined.*,
        indicators.factor,
        indicators.has_denominator,
        indicators.share_level,
        indicators.is_change_since_baseline,
        max(case when combined.year = indicators.baseline_year then combined.numerator end)
            over (
                partition by
                    combined.scheme_id,
                    combined.indicator_code,
                    combined.territory_level,
                    combined.territory_code
            )
            as baseline_numerator
    from combined
    inner join indicators
        on
            combined.scheme_id = indicators.scheme_id
            and combined.indicator_code = indicators.indicator_code
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
