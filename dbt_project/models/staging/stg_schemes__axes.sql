with source as (
    select * from {{ source('schemes', 'axes') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(axis_code as varchar) as axis_code,
        cast(title as varchar) as title,
        cast(transversal as boolean) as is_transversal,
        -- `position` is a non-reserved keyword in DuckDB and the name dim_axes publishes.
        cast(position as integer) as position  -- noqa: RF04
    from source
)

select * from renamed
