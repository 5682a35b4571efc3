with source as (
    select * from {{ source('schemes', 'axes') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(axis_code as varchar) as axis_code,
        cast(title as varchar) as title,
        cast(transversal as boolean) as is_transversal,
        cast(position as integer) as position
    from source
)

select * from renamed
