with source as (
    select * from {{ source('population', 'child_population') }}
),

renamed as (
    select
        cast(commune_code as varchar) as commune_code,
        cast(year as integer) as population_year,
        cast(age_band as varchar) as age_band,
        cast(children as double) as children,
        cast(source as varchar) as population_source
    from source
)

select * from renamed
