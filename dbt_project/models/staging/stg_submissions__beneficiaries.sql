with source as (
    select * from {{ source('submissions', 'beneficiaries') }}
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
        action_code,
        territory_code,
        public as beneficiary_public,
        count as beneficiaries,
        low_income_count as beneficiaries_low_income
    from source
)

select * from renamed
