with source as (
    select * from {{ source('schemes', 'indicators') }}
),

renamed as (
    select
        cast(scheme_id as varchar) as scheme_id,
        cast(indicator_code as varchar) as indicator_code,
        -- `label` is a non-reserved keyword in DuckDB and the name dim_indicators publishes.
        cast(label as varchar) as label,  -- noqa: RF04
        cast(action_code as varchar) as action_code,
        cast(unit as varchar) as unit,
        cast(direction as varchar) as direction,
        cast(factor as double) as factor,
        cast(has_denominator as boolean) as has_denominator,
        cast(share_level as varchar) as share_level,
        cast(change_since_baseline as boolean) as is_change_since_baseline,
        cast(baseline_year as integer) as baseline_year,
        cast(baseline_value as double) as baseline_value,
        cast(weight as double) as weight,
        cast(method as varchar) as trajectory_method,
        cast(natural_limit as double) as natural_limit,
        cast(illustrative as boolean) as is_illustrative,
        cast(note as varchar) as note,
        cast(formula_text as varchar) as formula_text,
        cast(source_text as varchar) as source_text
    from source
)

select * from renamed
