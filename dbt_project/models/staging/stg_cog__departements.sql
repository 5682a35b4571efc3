with source as (
    select * from {{ source('cog', 'departements') }}
),

renamed as (
    select
        cast(departement_code as varchar) as departement_code,
        cast(name as varchar) as departement_name,
        cast(region_code as varchar) as region_code
    from source
)

select * from renamed
