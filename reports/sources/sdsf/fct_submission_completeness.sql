-- One row per partner, kind of file and period expected, with French dates.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        partner_code, submission_kind, submission_kind_label, period, cadence, cadence_label,
        period_type, period_year, deadline_date, expected, received, accepted, revisions, late,
        missing, status, status_label, days_late, as_of_date,
        strftime(last_accepted_at, '%d/%m/%Y') as last_accepted_fr,
        strftime(deadline_date, '%d/%m/%Y') as deadline_fr
    from fct_submission_completeness
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
