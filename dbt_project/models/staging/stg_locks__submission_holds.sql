with source as (
    select * from {{ source('locks', 'submission_holds') }}
),

renamed as (
    select
        cast(submission_id as varchar) as submission_id,
        cast(scheme_id as varchar) as scheme_id,
        cast(period as varchar) as period,
        cast(approved_at as timestamp) as approved_at
    from source
)

select * from renamed
