with source as (
    select * from {{ source('cog', 'epci') }}
),

renamed as (
    select
        cast(epci_siren as varchar) as epci_siren,
        cast(name as varchar) as epci_name,
        cast(epci_type as varchar) as epci_type,
        cast(population as bigint) as population
    from source
)

select * from renamed
