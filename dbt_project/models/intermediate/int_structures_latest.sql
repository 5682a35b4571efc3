-- Each partner's structures as their latest placements row describes them (type, commune):
-- attendance rows carry only the structure code.
with placements as (
    select * from {{ ref('int_placements_latest_revision') }}
)

select
    partner_code,
    structure_code,
    structure_type,
    commune_code
from placements
qualify row_number() over (
    partition by partner_code, structure_code
    order by period_start desc, received_at desc
) = 1
