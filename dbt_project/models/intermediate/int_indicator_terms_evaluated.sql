-- Each indicator's numerator and denominator, summed from the measures its formula names
-- (with its filters on structure types, publics and actions) for every territory of the scheme.
with terms as (
    select * from {{ ref('stg_schemes__indicator_terms') }}
),

facts as (
    select * from {{ ref('int_measure_facts_yearly') }}
),

territories as (
    select * from {{ ref('int_scheme_territories') }}
)

select
    terms.scheme_id,
    terms.indicator_code,
    terms.term_role,
    territories.territory_level,
    territories.territory_code,
    facts.year,
    {{ exact_sum('facts.measure_value') }} as term_value
from terms
inner join facts
    on
        terms.measure_code = facts.measure_code
        and (
            terms.structure_types is null
            or list_contains(terms.structure_types, facts.structure_type)
        )
        and (terms.publics is null or list_contains(terms.publics, facts.beneficiary_public))
        and (terms.action_codes is null or list_contains(terms.action_codes, facts.action_code))
inner join territories
    on
        terms.scheme_id = territories.scheme_id
        and facts.territory_level = territories.fact_level
        and facts.territory_code = territories.fact_code
group by all
