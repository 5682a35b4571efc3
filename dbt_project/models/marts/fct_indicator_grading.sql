-- The Open SDG grading of each indicator and territory with a baseline (computed by
-- fct_indicator_grades with orchestration.grading, the code of `sdsf grade`), its French label
-- and, next to it, the trajectory status of the same latest year.
with grades as (
    select * from {{ ref('fct_indicator_grades') }}
),

territories as (
    select * from {{ ref('dim_territories') }}
)

select
    cast(grades.scheme_id as varchar) as scheme_id,
    cast(grades.indicator_code as varchar) as indicator_code,
    cast(grades.territory_level as varchar) as territory_level,
    cast(grades.territory_code as varchar) as territory_code,
    cast(territories.territory_name as varchar) as territory_name,
    cast(grades.baseline_year as integer) as baseline_year,
    cast(grades.baseline_value as double) as baseline_value,
    cast(grades.latest_year as integer) as latest_year,
    cast(grades.latest_value as double) as latest_value,
    cast(grades.final_target_year as integer) as target_year,
    cast(grades.final_target_value as double) as target_value,
    cast(grades.natural_limit as double) as natural_limit,
    cast(grades.progress_value as double) as progress_value,
    cast(grades.score as double) as score,
    cast(grades.grading_status as varchar) as grading_status,
    cast({{ vocabulary_label('grading_statuses', 'grades.grading_status') }} as varchar)
        as grading_status_label,
    cast(grades.trajectory_status as varchar) as trajectory_status,
    cast({{ vocabulary_label('progress_statuses', 'grades.trajectory_status') }} as varchar)
        as trajectory_status_label
from grades
left join territories
    on
        grades.scheme_id = territories.scheme_id
        and grades.territory_level = territories.territory_level
        and grades.territory_code = territories.territory_code
