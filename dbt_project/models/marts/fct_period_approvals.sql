-- Where the sign-off of every year of every scheme stands: the state the last step written for
-- it left (a year no step reached is not reviewed, its figures « provisoire »), who reviewed and
-- who approved it in its current round (the steps since it was last unlocked: an unlocked year
-- must be reviewed and approved again), the comment of its last step (an unlock's reason) and
-- the expected files still missing when it was approved. Labels come from the vocabulary.
with scheme_years as (
    select
        scheme_id,
        cast(unnest(generate_series(start_year, end_year)) as integer) as year  -- noqa: RF04
    from {{ ref('stg_schemes__schemes') }}
),

steps as (
    select * from {{ ref('stg_approvals__period_approvals') }}
),

last_unlock as (
    select
        scheme_id,
        period,
        max(step_number) as step_number
    from steps
    where step = 'unlock'
    group by scheme_id, period
),

current_round as (
    select steps.*
    from steps
    left join last_unlock
        on steps.scheme_id = last_unlock.scheme_id and steps.period = last_unlock.period
    where last_unlock.step_number is null or steps.step_number > last_unlock.step_number
),

last_step as (
    select
        scheme_id,
        period,
        step,
        step_at,
        approval_state,
        step_comment,
        count(*) over (partition by scheme_id, period) as steps_recorded
    from steps
    qualify row_number() over (partition by scheme_id, period order by step_number desc) = 1
),

reviewed as (
    select
        scheme_id,
        period,
        signed_by as reviewed_by,
        step_at as reviewed_at
    from current_round
    where step = 'review'
    qualify row_number() over (partition by scheme_id, period order by step_number desc) = 1
),

approved as (
    select
        scheme_id,
        period,
        signed_by as approved_by,
        step_at as approved_at,
        missing_files
    from current_round
    where step = 'approve'
    qualify row_number() over (partition by scheme_id, period order by step_number desc) = 1
),

judged as (
    select
        scheme_years.scheme_id,
        scheme_years.year,
        last_step.step as last_step,
        last_step.step_at as last_step_at,
        last_step.step_comment,
        reviewed.reviewed_by,
        reviewed.reviewed_at,
        approved.approved_by,
        approved.approved_at,
        approved.missing_files,
        cast(scheme_years.year as varchar) as period,
        coalesce(last_step.approval_state, 'not_reviewed') as approval_state,
        coalesce(last_step.steps_recorded, 0) as steps_recorded
    from scheme_years
    left join last_step
        on
            scheme_years.scheme_id = last_step.scheme_id
            and cast(scheme_years.year as varchar) = last_step.period
    left join reviewed
        on
            scheme_years.scheme_id = reviewed.scheme_id
            and cast(scheme_years.year as varchar) = reviewed.period
    left join approved
        on
            scheme_years.scheme_id = approved.scheme_id
            and cast(scheme_years.year as varchar) = approved.period
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(year as integer) as year,  -- noqa: RF04
    cast(period as varchar) as period,
    cast(approval_state as varchar) as approval_state,
    cast({{ vocabulary_label('approval_states', 'judged.approval_state') }} as varchar)
        as approval_state_label,
    cast(approval_state = 'approved' as boolean) as is_approved,
    -- What the site prints beside a year's figures: approved, or provisional (reviewed or not).
    cast({{ vocabulary_label('approval_states', "case when judged.approval_state = 'approved'"
        ~ " then 'approved' else 'not_reviewed' end") }} as varchar) as figures_label,
    cast(reviewed_by as varchar) as reviewed_by,
    cast(reviewed_at as timestamp) as reviewed_at,
    cast(approved_by as varchar) as approved_by,
    cast(approved_at as timestamp) as approved_at,
    -- `comment` (a non-reserved keyword in DuckDB) is the published name, as in fct_action_reports.
    cast(step_comment as varchar) as comment,  -- noqa: RF04
    cast(coalesce(len(missing_files), 0) as integer) as missing_file_count,
    cast(nullif(array_to_string(missing_files, ', '), '') as varchar) as missing_files,
    cast(last_step as varchar) as last_step,
    cast(last_step_at as timestamp) as last_step_at,
    cast(steps_recorded as integer) as steps_recorded
from judged
