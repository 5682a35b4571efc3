with source as (
    select * from {{ source('reference', 'vocabulary') }}
),

renamed as (
    select
        cast(vocabulary as varchar) as vocabulary,
        cast(code as varchar) as code,
        -- `label` is a non-reserved keyword in DuckDB, kept as in vocabulary.yaml.
        cast(label as varchar) as label,  -- noqa: RF04
        cast(definition as varchar) as definition,
        cast(position as integer) as position  -- noqa: RF04
    from source
)

select * from renamed
