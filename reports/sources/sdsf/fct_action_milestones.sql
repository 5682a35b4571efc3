-- Every milestone of every action with French dates: a milestone due by a month reads « 03/2019 »
-- (the last day of that month), one due by a day « 15/03/2019 »; days late as a French count.
-- Positions place the dates on the scheme's span for the timelines (0 its first day, 1 its
-- last; a milestone reached after the scheme's end is drawn at its end).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        m.*,
        case
            when m.due_precision = 'month' then strftime(m.due_date, '%m/%Y')
            else strftime(m.due_date, '%d/%m/%Y')
        end as due_fr,
        coalesce(strftime(m.reached_date, '%d/%m/%Y'), '–') as reached_fr,
        strftime(m.as_of_date, '%d/%m/%Y') as as_of_fr,
        coalesce(fr_number(m.days_late, 'jours'), '–') as days_late_fr,
        strftime(m.late_counted_until, '%d/%m/%Y') as late_counted_until_fr,
        m.late_counted_until < m.as_of_date as scheme_ended,
        date_diff('day', s.start_date, m.due_date) / date_diff('day', s.start_date, s.end_date)
            as due_position,
        least(
            date_diff('day', s.start_date, m.reached_date) / date_diff('day', s.start_date, s.end_date),
            1.0
        ) as reached_position,
        date_diff('day', s.start_date, m.late_counted_until) / date_diff('day', s.start_date, s.end_date)
            as late_until_position
    from fct_action_milestones as m
    inner join dim_schemes as s on s.scheme_id = m.scheme_id
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
