-- Every milestone of every action with the day it was reached and where it stands on the
-- as-of date: the submission calendar's (orchestration/calendar.py, the day the pipeline judges
-- deadlines on), else the day the latest action report arrived, else today. A milestone not
-- reached by the end of its scheme stays overdue, but its delay is counted up to that end: the
-- scheme's evaluation, not years of an ended plan.
with milestones as (
    select * from {{ ref('int_action_milestones_reached') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

as_of as (
    select
        coalesce(
            (select max(as_of_date) from {{ ref('stg_calendar__submission_calendar') }}),
            (
                select max(cast(received_at as date))
                from {{ ref('int_action_reports_latest_revision') }}
            ),
            current_date
        ) as as_of_date
),

judged as (
    select
        milestones.*,
        as_of.as_of_date,
        least(as_of.as_of_date, schemes.end_date) as late_counted_until,
        case
            when milestones.reached_date <= milestones.due_date then 'met_on_time'
            when milestones.reached_date is not null then 'met_late'
            when milestones.due_date < as_of.as_of_date then 'overdue'
            else 'upcoming'
        end as status
    from milestones
    inner join schemes on milestones.scheme_id = schemes.scheme_id
    cross join as_of
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(axis_code as varchar) as axis_code,
    cast(action_code as varchar) as action_code,
    cast(milestone_code as varchar) as milestone_code,
    cast(milestone_label as varchar) as milestone_label,
    cast(milestone_position as integer) as milestone_position,
    cast(due_date as date) as due_date,
    cast(due_precision as varchar) as due_precision,
    cast(is_illustrative as boolean) as is_illustrative,
    cast(reached_date as date) as reached_date,
    cast(reached_period as varchar) as reached_period,
    cast(reached_partner_code as varchar) as reached_partner_code,
    cast(status as varchar) as status,
    cast({{ vocabulary_label('milestone_statuses', 'judged.status') }} as varchar) as status_label,
    cast(
        case
            when status = 'met_late' then date_diff('day', due_date, reached_date)
            when status = 'overdue'
                then greatest(date_diff('day', due_date, late_counted_until), 0)
        end as integer
    ) as days_late,
    cast(as_of_date as date) as as_of_date,
    cast(late_counted_until as date) as late_counted_until
from judged
