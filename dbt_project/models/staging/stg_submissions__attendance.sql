with source as (
    select * from {{ source('submissions', 'attendance') }}
),

renamed as (
    select
        submission_id,
        partner_code,
        received_at,
        line as source_line,
        period,
        period_type,
        period_year,
        period_start,
        period_end,
        structure_code,
        theoretical_hours,
        attended_hours,
        billed_hours,
        opening_days
    from source
)

select * from renamed
