-- The state of each action per period as last reported: among the latest revisions of the
-- partners' action-report files, the file received last for the action and period (its pilot
-- and its partners may all report). A file repeats the state on each milestone row of an
-- action and gives the comment once: one row per action and period here.
with reports as (
    select * from {{ ref('int_action_reports_latest_revision') }}
),

actions as (
    select * from {{ ref('stg_schemes__actions') }}
),

latest_file as (
    select
        action_code,
        period,
        submission_id
    from reports
    qualify row_number() over (
        partition by action_code, period order by received_at desc, submission_id desc
    ) = 1
),

per_period as (
    select
        reports.action_code,
        reports.period,
        reports.submission_id,
        any_value(reports.partner_code) as partner_code,
        any_value(reports.received_at) as received_at,
        any_value(reports.period_type) as period_type,
        any_value(reports.period_year) as period_year,
        any_value(reports.period_start) as period_start,
        any_value(reports.period_end) as period_end,
        -- the contract makes state and share agree on every row of an action and period
        any_value(reports.action_state) as action_state,
        max(reports.share_done) as share_done,
        max(reports.report_comment) as report_comment,
        count(reports.milestone_code) as milestones_reported,
        string_agg(reports.milestone_code, ', ' order by reports.milestone_code)
            as milestone_codes
    from reports
    inner join latest_file
        on
            reports.action_code = latest_file.action_code
            and reports.period = latest_file.period
            and reports.submission_id = latest_file.submission_id
    group by reports.action_code, reports.period, reports.submission_id
)

select
    cast(actions.scheme_id as varchar) as scheme_id,
    cast(actions.axis_code as varchar) as axis_code,
    cast(per_period.action_code as varchar) as action_code,
    cast(per_period.period as varchar) as period,
    cast(per_period.period_type as varchar) as period_type,
    cast(per_period.period_year as integer) as period_year,
    cast(per_period.period_start as date) as period_start,
    cast(per_period.period_end as date) as period_end,
    cast(per_period.action_state as varchar) as state,
    cast({{ vocabulary_label('action_states', 'per_period.action_state') }} as varchar)
        as state_label,
    cast(per_period.share_done as double) as share_done,
    -- `comment` (a non-reserved keyword in DuckDB) is the published name SPEC13 fixes.
    cast(per_period.report_comment as varchar) as comment,  -- noqa: RF04
    cast(per_period.milestones_reported as integer) as milestones_reported,
    cast(per_period.milestone_codes as varchar) as milestone_codes,
    cast(per_period.partner_code as varchar) as partner_code,
    cast(per_period.received_at as timestamp) as received_at,
    cast(per_period.submission_id as varchar) as submission_id,
    -- the latest period reported on the action, which its page shows first
    cast(
        row_number() over (
            partition by actions.scheme_id, per_period.action_code
            order by per_period.period_end desc, per_period.period_start desc
        ) = 1 as boolean
    ) as is_latest
from per_period
inner join actions on per_period.action_code = actions.action_code
