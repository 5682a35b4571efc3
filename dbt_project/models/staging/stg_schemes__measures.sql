with source as (
    select * from {{ source('schemes', 'measures') }}
),

renamed as (
    select
        cast(measure_code as varchar) as measure_code,
        -- `label` is a non-reserved keyword in DuckDB, kept as in measures.yaml.
        cast(label as varchar) as label,  -- noqa: RF04
        cast(source as varchar) as source_kind,
        cast(source_column as varchar) as source_column,
        cast(aggregation as varchar) as aggregation,
        cast(counts_people as boolean) as counts_people,
        cast(part_of as varchar) as part_of
    from source
)

select * from renamed
