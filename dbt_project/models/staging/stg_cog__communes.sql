with source as (
    select * from {{ source('cog', 'communes') }}
),

renamed as (
    select
        cast(commune_code as varchar) as commune_code,
        cast(name as varchar) as commune_name,
        cast(departement_code as varchar) as departement_code,
        cast(epci_siren as varchar) as epci_siren,
        cast(population as bigint) as population,
        cast(commune_type as varchar) as commune_type,
        cast(parent_commune_code as varchar) as parent_commune_code
    from source
)

select * from renamed
