with source as (
    select * from {{ source('schemes', 'indicator_terms') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(indicator_code as varchar) as indicator_code,
        cast(role as varchar) as term_role,
        cast(measure_code as varchar) as measure_code,
        cast(structure_types as varchar[]) as structure_types,
        cast(publics as varchar[]) as publics,
        cast(actions as varchar[]) as action_codes
    from source
)

select * from renamed
