with source as (
    select * from {{ source('approvals', 'period_approvals') }}
),

renamed as (
    select
        cast(step_number as integer) as step_number,
        -- `at` alone is a reserved word in DuckDB: qualified, it reads as a column.
        cast(source.at as timestamp) as step_at,
        cast(step as varchar) as step,
        cast(state as varchar) as approval_state,
        cast(scheme as varchar) as scheme_id,
        cast(period as varchar) as period,
        cast(who as varchar) as signed_by,
        cast(comment as varchar) as step_comment,
        cast(missing as varchar[]) as missing_files
    from source
)

select * from renamed
