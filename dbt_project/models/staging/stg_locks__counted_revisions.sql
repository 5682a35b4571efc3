with source as (
    select * from {{ source('locks', 'counted_revisions') }}
),

renamed as (
    select
        cast(submission_kind as varchar) as submission_kind,
        cast(submission_id as varchar) as submission_id,
        cast(partner_code as varchar) as partner_code,
        cast(period as varchar) as period
    from source
)

select * from renamed
