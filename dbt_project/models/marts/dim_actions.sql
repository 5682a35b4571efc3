select
    cast(scheme_id as varchar) as scheme_id,
    cast(action_code as varchar) as action_code,
    cast(axis_code as varchar) as axis_code,
    cast(title as varchar) as title,
    cast(pilot_partner_code as varchar) as pilot_partner,
    -- `position` (a non-reserved keyword in DuckDB) is the published name of the order.
    cast(position as integer) as position  -- noqa: RF04
from {{ ref('stg_schemes__actions') }}
