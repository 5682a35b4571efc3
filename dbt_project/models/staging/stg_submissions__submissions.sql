with source as (
    select * from {{ source('submissions', 'submissions') }}
),

renamed as (
    select
        submission_id,
        partner_code,
        kind as submission_kind,
        file_name,
        sha256,
        received_at,
        status as submission_status,
        rows_read,
        error_count,
        warning_count,
        periods
    from source
)

select * from renamed
