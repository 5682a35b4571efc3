-- Measures per territory and year. A stock (places, children on the books, population) is its
-- value at the latest period of the year; a flow (hours, beneficiaries) is summed over the year.
with facts as (
    select * from {{ ref('int_measure_facts_by_period') }}
),

measures as (
    select * from {{ ref('stg_schemes__measures') }}
),

matched as (
    select
        facts.*,
        measures.measure_code,
        measures.aggregation
    from facts
    inner join measures
        on
            facts.source_kind = measures.source_kind
            and facts.source_column = measures.source_column
            and (facts.measure_hint is null or facts.measure_hint = measures.measure_code)
),

stocks as (
    select *
    from matched
    where aggregation = 'stock'
    qualify rank() over (
        partition by measure_code, source_kind, partner_code, entity_code, period_year
        order by period_start desc
    ) = 1
),

flows as (
    select * from matched
    where aggregation = 'flow'
),

kept as (
    select * from stocks
    union all
    select * from flows
)

select
    measure_code,
    territory_level,
    territory_code,
    structure_type,
    beneficiary_public,
    action_code,
    -- `year` is a non-reserved keyword in DuckDB, and the name every later model uses.
    period_year as year,  -- noqa: RF04
    {{ exact_sum('value') }} as measure_value
from kept
where territory_code is not null
group by all
