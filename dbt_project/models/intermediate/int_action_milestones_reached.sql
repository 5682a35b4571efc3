-- Every milestone of every action, with the day it was reached: the earliest milestone_date any
-- partner reports for it in the latest revision of its files (a corrected file that no longer
-- reports the milestone takes it back). Null while no report says the milestone is reached.
with milestones as (
    select * from {{ ref('stg_schemes__action_milestones') }}
),

reported as (
    select * from {{ ref('int_action_reports_latest_revision') }}
    where milestone_code is not null
),

reached as (
    select
        action_code,
        milestone_code,
        min(milestone_date) as reached_date,
        arg_min(partner_code, milestone_date) as reached_partner_code,
        arg_min(period, milestone_date) as reached_period
    from reported
    group by action_code, milestone_code
)

select
    milestones.scheme_id,
    milestones.axis_code,
    milestones.action_code,
    milestones.milestone_code,
    milestones.milestone_label,
    milestones.milestone_position,
    milestones.due_date,
    milestones.due_precision,
    milestones.is_illustrative,
    reached.reached_date,
    reached.reached_partner_code,
    reached.reached_period
from milestones
left join reached
    on
        milestones.action_code = reached.action_code
        and milestones.milestone_code = reached.milestone_code
