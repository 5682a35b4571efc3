with source as (
    select * from {{ source('schemes', 'schemes') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(kind as varchar) as scheme_kind,
        cast(title as varchar) as title,
        cast(departement_code as varchar) as departement_code,
        cast(start_year as integer) as start_year,
        cast(end_year as integer) as end_year,
        cast(source_note as varchar) as source_note,
        -- The first and last day the scheme covers (a charte starts and ends within a year).
        make_date(start_year, coalesce(start_month, 1), 1) as start_date,
        last_day(make_date(end_year, coalesce(end_month, 12), 1)) as end_date
    from source
)

select * from renamed
