-- Progress with French percentages (0.42 -> « 42 % »).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        *,
        coalesce(fr_percent(progress), '–') as progress_fr,
        coalesce(fr_percent(expected_progress), '–') as expected_progress_fr
    from fct_axis_progress
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
