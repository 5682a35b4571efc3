with source as (
    select * from {{ source('quality', 'quality_justifications') }}
),

renamed as (
    select
        warning_id,
        comment as justification_comment,
        justified_by,
        justified_at
    from source
)

select * from renamed
