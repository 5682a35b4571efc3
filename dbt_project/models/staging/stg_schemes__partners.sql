with source as (
    select * from {{ source('schemes', 'partners') }}
),

renamed as (
    select
        cast(partner_code as varchar) as partner_code,
        cast(name as varchar) as partner_name,
        cast(type as varchar) as partner_type
    from source
)

select * from renamed
