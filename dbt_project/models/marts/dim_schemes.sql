select
    cast(scheme_id as varchar) as scheme_id,
    cast(scheme_kind as varchar) as kind,
    cast(title as varchar) as title,
    cast(departement_code as varchar) as departement_code,
    cast(start_year as integer) as start_year,
    cast(end_year as integer) as end_year,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(source_note as varchar) as source_note
from {{ ref('stg_schemes__schemes') }}
