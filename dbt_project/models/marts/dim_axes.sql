select
    cast(scheme_id as varchar) as scheme_id,
    cast(axis_code as varchar) as axis_code,
    cast(title as varchar) as title,
    cast(is_transversal as boolean) as transversal,
    -- `position` (a non-reserved keyword in DuckDB) is the published name of the order.
    cast(position as integer) as position  -- noqa: RF04
from {{ ref('stg_schemes__axes') }}
