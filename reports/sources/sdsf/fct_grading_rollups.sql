-- Open SDG scores written the French way (2.857 -> « 2,9 »), the progress value with 2 decimals.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        *,
        coalesce(fr_decimal(score, 1), '–') as score_fr
    from fct_grading_rollups
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
