-- Quarterly values of the indicators whose every term is a flow read from attendance files
-- (occupation and billing rates: hours over hours). Quarterly and monthly files give them;
-- a yearly file cannot be split into quarters and is left out. Like the yearly values, a
-- quarter counts once any numerator data exists, and every territory of the scheme gets a row.
with indicators as (
    select * from {{ ref('stg_schemes__indicators') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

terms as (
    select * from {{ ref('stg_schemes__indicator_terms') }}
),

measures as (
    select * from {{ ref('stg_schemes__measures') }}
),

facts as (
    select * from {{ ref('int_measure_facts_by_period') }}
),

scheme_territories as (
    select * from {{ ref('int_scheme_territories') }}
),

quarterly_indicators as (
    select
        terms.scheme_id,
        terms.indicator_code
    from terms
    inner join measures on terms.measure_code = measures.measure_code
    group by all
    having bool_and(measures.source_kind = 'attendance' and measures.aggregation = 'flow')
),

quarter_facts as (
    select
        measures.measure_code,
        facts.territory_level,
        facts.territory_code,
        facts.structure_type,
        facts.period_year as year,  -- noqa: RF04
        facts.period_year || '-T' || quarter(facts.period_start) as period,
        {{ exact_sum('facts.value') }} as measure_value
    from facts
    inner join measures
        on
            facts.source_kind = measures.source_kind
            and facts.source_column = measures.source_column
    where
        facts.source_kind = 'attendance'
        and measures.aggregation = 'flow'
        and facts.period_type in ('quarter', 'month')
        and facts.territory_code is not null
    group by all
),

term_values as (
    select
        terms.scheme_id,
        terms.indicator_code,
        terms.term_role,
        scheme_territories.territory_level,
        scheme_territories.territory_code,
        quarter_facts.year,
        quarter_facts.period,
        {{ exact_sum('quarter_facts.measure_value') }} as term_value
    from terms
    inner join quarterly_indicators
        on
            terms.scheme_id = quarterly_indicators.scheme_id
            and terms.indicator_code = quarterly_indicators.indicator_code
    inner join quarter_facts
        on
            terms.measure_code = quarter_facts.measure_code
            and (
                terms.structure_types is null
                or list_contains(terms.structure_types, quarter_facts.structure_type)
            )
    inner join scheme_territories
        on
            terms.scheme_id = scheme_territories.scheme_id
            and quarter_facts.territory_level = scheme_territories.fact_level
            and quarter_facts.territory_code = scheme_territories.fact_code
    group by all
),

data_periods as (
    select distinct
        term_values.scheme_id,
        term_values.indicator_code,
        term_values.year,
        term_values.period
    from term_values
    inner join indicators
        on
            term_values.scheme_id = indicators.scheme_id
            and term_values.indicator_code = indicators.indicator_code
    inner join schemes on term_values.scheme_id = schemes.scheme_id
    where
        term_values.term_role = 'numerator'
        and term_values.year between indicators.baseline_year and schemes.end_year
),

grid as (
    select distinct
        data_periods.scheme_id,
        data_periods.indicator_code,
        scheme_territories.territory_level,
        scheme_territories.territory_code,
        data_periods.year,
        data_periods.period
    from data_periods
    inner join scheme_territories on data_periods.scheme_id = scheme_territories.scheme_id
),

pivoted as (
    select
        grid.scheme_id,
        grid.indicator_code,
        grid.territory_level,
        grid.territory_code,
        grid.year,
        grid.period,
        coalesce(
            {{ exact_sum('term_values.term_value', "term_values.term_role = 'numerator'") }}, 0
        ) as numerator,
        {{ exact_sum('term_values.term_value', "term_values.term_role = 'denominator'") }}
            as denominator
    from grid
    left join term_values
        on
            grid.scheme_id = term_values.scheme_id
            and grid.indicator_code = term_values.indicator_code
            and grid.territory_level = term_values.territory_level
            and grid.territory_code = term_values.territory_code
            and grid.period = term_values.period
    group by all
)

select
    pivoted.*,
    {{ indicator_value(
        'indicators.factor', 'pivoted.numerator', 'pivoted.denominator',
        'indicators.has_denominator', 'indicators.share_level',
        'indicators.is_change_since_baseline', 'null'
    ) }} as indicator_value
from pivoted
inner join indicators
    on
        pivoted.scheme_id = indicators.scheme_id
        and pivoted.indicator_code = indicators.indicator_code
-- a share or a change since the baseline is a yearly notion: no quarterly value
where indicators.share_level is null and not indicators.is_change_since_baseline
