-- Open SDG scores of the scheme's whole area rolled up to actions, axes and schemes (the mean
-- of the members' scores, computed by fct_grade_rollups with orchestration.grading), with the
-- French label of the status.
with rollups as (
    select * from {{ ref('fct_grade_rollups') }}
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(rollup_level as varchar) as rollup_level,
    cast(rollup_code as varchar) as rollup_code,
    cast(members as integer) as members,
    cast(indicators_graded as integer) as indicators_graded,
    cast(score as double) as score,
    cast(grading_status as varchar) as grading_status,
    cast({{ vocabulary_label('grading_statuses', 'rollups.grading_status') }} as varchar)
        as grading_status_label
from rollups
