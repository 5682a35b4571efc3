with source as (
    select * from {{ source('schemes', 'actions') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(action_code as varchar) as action_code,
        cast(axis_code as varchar) as axis_code,
        cast(title as varchar) as title,
        cast(pilot_partner as varchar) as pilot_partner_code,
        cast(position as integer) as position
    from source
)

select * from renamed
