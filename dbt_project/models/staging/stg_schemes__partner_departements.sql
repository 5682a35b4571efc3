with source as (
    select * from {{ source('schemes', 'partner_departements') }}
),

renamed as (
    select
        cast(partner_code as varchar) as partner_code,
        cast(departement_code as varchar) as departement_code
    from source
)

select * from renamed
