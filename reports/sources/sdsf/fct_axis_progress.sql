-- `figures_label` (fct_period_approvals): « validé » or « provisoire » beside the year's figures.
-- Progress with French percentages (0.42 -> « 42 % »).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        p.*,
        coalesce(fr_percent(p.progress), '–') as progress_fr,
        coalesce(fr_percent(p.expected_progress), '–') as expected_progress_fr,
        a.figures_label,
        a.is_approved
    from fct_axis_progress as p
    left join fct_period_approvals as a using (scheme_id, year)
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
