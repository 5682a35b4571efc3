with source as (
    select * from {{ source('schemes', 'priority_rules') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(indicator_code as varchar) as indicator_code,
        cast(territory_level as varchar) as territory_level,
        cast(threshold as double) as threshold,
        cast(threshold_reference as varchar) as threshold_reference,
        cast(year as integer) as rule_year
    from source
)

select * from renamed
