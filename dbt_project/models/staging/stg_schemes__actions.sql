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
        -- `position` is a non-reserved keyword in DuckDB and the name dim_actions publishes.
        cast(position as integer) as position  -- noqa: RF04
    from source
)

select * from renamed
