with source as (
    select * from {{ source('approvals', 'period_approvals') }}
),

renamed as (
    select
        cast(source.step_number as integer) as step_number,
        -- Qualified: `at` alone is a reserved word in DuckDB.
        cast(source.at as timestamp) as step_at,
        cast(source.step as varchar) as step,
        cast(source.state as varchar) as approval_state,
        cast(source.scheme as varchar) as scheme_id,
        cast(source.period as varchar) as period,
        cast(source.who as varchar) as signed_by,
        cast(source.comment as varchar) as step_comment,
        cast(source.missing as varchar[]) as missing_files
    from source
)

select * from renamed
