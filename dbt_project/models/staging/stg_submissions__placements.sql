with source as (
    select * from {{ source('submissions', 'placements') }}
),

renamed as (
    select
        submission_id,
        partner_code,
        received_at,
        line as source_line,
        period,
        period_type,
        period_year,
        period_start,
        period_end,
        structure_code,
        structure_type,
        commune_code,
        places,
        children_enrolled,
        children_disabled,
        children_low_income,
        atypical_hours
    from source
)

select * from renamed
