-- The terms of each indicator's formula: which measure, in the numerator or the denominator,
-- restricted to which structure types, publics or actions (null: no restriction).
with terms as (
    select * from {{ ref('stg_schemes__indicator_terms') }}
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(indicator_code as varchar) as indicator_code,
    cast(term_role as varchar) as term_role,
    cast(measure_code as varchar) as measure_code,
    cast(structure_types as varchar[]) as structure_types,
    cast(publics as varchar[]) as publics,
    cast(action_codes as varchar[]) as action_codes
from terms
