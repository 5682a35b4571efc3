with source as (
    select * from {{ source('cog', 'epci_members') }}
),

renamed as (
    select
        cast(epci_siren as varchar) as epci_siren,
        cast(commune_code as varchar) as commune_code
    from source
)

select * from renamed
