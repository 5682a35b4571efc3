-- Every number partners and references give, in one long table at the grain of the source
-- (structure, action x territory x public, commune) and period, ready to be matched to measures.
with placements as (
    select * from {{ ref('int_placements_latest_revision') }}
),

attendance as (
    select * from {{ ref('int_attendance_latest_revision') }}
),

beneficiaries as (
    select * from {{ ref('int_beneficiaries_latest_revision') }}
),

structures as (
    select * from {{ ref('int_structures_latest') }}
),

child_population as (
    select * from {{ ref('stg_population__child_population') }}
),

placement_values as (
    select
        'placements' as source_kind,
        partner_code,
        structure_code as entity_code,
        'commune' as territory_level,
        commune_code as territory_code,
        structure_type,
        cast(null as varchar) as beneficiary_public,
        cast(null as varchar) as action_code,
        cast(null as varchar) as measure_hint,
        period_year,
        period_start,
        period_type,
        cast(places as double) as places,
        cast(children_enrolled as double) as children_enrolled,
        cast(children_disabled as double) as children_disabled,
        cast(children_low_income as double) as children_low_income,
        1.0 as structure_code,
        case when atypical_hours then 1.0 else 0.0 end as atypical_hours
    from placements
),

attendance_values as (
    select
        'attendance' as source_kind,
        attendance.partner_code,
        attendance.structure_code as entity_code,
        'commune' as territory_level,
        structures.commune_code as territory_code,
        structures.structure_type,
        cast(null as varchar) as beneficiary_public,
        cast(null as varchar) as action_code,
        cast(null as varchar) as measure_hint,
        attendance.period_year,
        attendance.period_start,
        attendance.period_type,
        attendance.theoretical_hours,
        attendance.attended_hours,
        attendance.billed_hours,
        cast(attendance.opening_days as double) as opening_days
    from attendance
    left join structures
        on
            attendance.partner_code = structures.partner_code
            and attendance.structure_code = structures.structure_code
),

beneficiary_values as (
    -- Columns line up with the other sources' CTEs; the union is by name, so order is free.
    select  -- noqa: ST06
        'beneficiaries' as source_kind,
        partner_code,
        concat_ws('|', action_code, territory_code, beneficiary_public) as entity_code,
        case when length(territory_code) = 9 then 'epci' else 'commune' end as territory_level,
        territory_code,
        cast(null as varchar) as structure_type,
        beneficiary_public,
        action_code,
        cast(null as varchar) as measure_hint,
        period_year,
        period_start,
        period_type,
        cast(beneficiaries as double) as count,
        cast(beneficiaries_low_income as double) as low_income_count
    from beneficiaries
),

population_values as (
    select
        'population' as source_kind,
        'reference' as partner_code,
        commune_code as entity_code,
        'commune' as territory_level,
        commune_code as territory_code,
        cast(null as varchar) as structure_type,
        cast(null as varchar) as beneficiary_public,
        cast(null as varchar) as action_code,
        age_band as measure_hint,
        population_year as period_year,
        make_date(population_year, 1, 1) as period_start,
        'year' as period_type,
        'children' as source_column,
        -- `value` is the name the unpivots below give their numbers (a keyword in DuckDB).
        children as value  -- noqa: RF04
    from child_population
),

placements_long as (
    select *
    from placement_values
    unpivot (
        value for source_column in (
            places,
            children_enrolled,
            children_disabled,
            children_low_income,
            structure_code,
            atypical_hours
        )
    )
),

attendance_long as (
    select *
    from attendance_values
    unpivot (
        value for source_column in (theoretical_hours, attended_hours, billed_hours, opening_days)
    )
),

beneficiaries_long as (
    select *
    from beneficiary_values
    unpivot (value for source_column in (count, low_income_count))
)

-- The four sources have different columns, matched by name (`union all by name`), which
-- sqlfluff's column-count rules cannot see: AM04 and AM07 do not apply.
select * from placements_long  -- noqa: AM04, AM07
union all by name
select * from attendance_long
union all by name
select * from beneficiaries_long
union all by name
select * from population_values
