with source as (
    select * from {{ source('schemes', 'indicator_targets') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(indicator_code as varchar) as indicator_code,
        cast(territory_code as varchar) as territory_code,
        cast(year as integer) as target_year,
        cast(value as double) as target_value
    from source
)

select * from renamed
