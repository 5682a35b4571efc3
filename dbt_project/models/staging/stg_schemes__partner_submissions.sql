with source as (
    select * from {{ source('schemes', 'partner_submissions') }}
),

renamed as (
    select
        cast(partner_code as varchar) as partner_code,
        cast(kind as varchar) as submission_kind,
        cast(cadence as varchar) as cadence,
        cast(deadline_days as integer) as deadline_days
    from source
)

select * from renamed
