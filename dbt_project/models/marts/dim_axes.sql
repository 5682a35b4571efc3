select
    cast(scheme_id as varchar) as scheme_id,
    cast(axis_code as varchar) as axis_code,
    cast(title as varchar) as title,
    cast(is_transversal as boolean) as transversal,
    cast(position as integer) as position
from {{ ref('stg_schemes__axes') }}
