with source as (
    select * from {{ source('schemes', 'scheme_perimeter') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(territory_code as varchar) as territory_code,
        cast(territory_level as varchar) as territory_level
    from source
)

select * from renamed
