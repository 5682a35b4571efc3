-- Indicator values per territory and year. A year counts once any numerator data exists for
-- the scheme; a territory with no numerator then has zero (no childcare is a real 0 %).
with indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

terms as (
    select * from {{ ref('int_indicator_terms_evaluated') }}
),

territories as (
    select distinct
        scheme_id,
        territory_level,
        territory_code
    from {{ ref('int_scheme_territories') }}
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
        coalesce(sum(terms.term_value) filter (where terms.term_role = 'numerator'), 0)
            as numerator,
        sum(terms.term_value) filter (where terms.term_role = 'denominator') as denominator
    from grid
    left join terms
        on
            grid.scheme_id = terms.scheme_id
            and grid.indicator_code = terms.indicator_code
            and grid.territory_level = terms.territory_level
            and grid.territory_code = terms.territory_code
            and grid.year = terms.year
    group by all
)

select
    pivoted.*,
    case
        when not indicators.has_denominator then indicators.factor * pivoted.numerator
        when pivoted.denominator > 0
            then indicators.factor * pivoted.numerator / pivoted.denominator
    end as indicator_value
from pivoted
inner join indicators
    on
        pivoted.scheme_id = indicators.scheme_id
        and pivoted.indicator_code = indicators.indicator_code
