with source as (
    select * from {{ source('submissions', 'action_reports') }}
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
        action_code,
        state as action_state,
        share_done,
        milestone_code,
        cast(milestone_date as date) as milestone_date,
        comment as report_comment
    from source
)

select * from renamed
