with source as (
    select * from {{ source('quality', 'quality_warnings') }}
),

renamed as (
    select
        warning_id,
        submission_id,
        line as source_line,
        column_name,
        rule as rule_code,
        severity,
        value,
        previous_value,
        previous_period,
        message
    from source
)

select * from renamed
