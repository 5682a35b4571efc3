with source as (
    select * from {{ source('schemes', 'action_milestones') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(axis_code as varchar) as axis_code,
        cast(action_code as varchar) as action_code,
        cast(milestone_code as varchar) as milestone_code,
        cast(label as varchar) as milestone_label,
        cast(due_date as date) as due_date,
        cast(due_precision as varchar) as due_precision,
        cast(position as integer) as milestone_position,
        cast(illustrative as boolean) as is_illustrative
    from source
)

select * from renamed
