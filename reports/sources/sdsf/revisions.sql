-- Published figures that changed since the previous named edition.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        r.*,
        i.label as indicator_label,
        coalesce(fr_number(r.old_value, i.unit), '–') as old_fr,
        coalesce(fr_number(r.new_value, i.unit), '–') as new_fr,
        coalesce(fr_signed(r.difference), '–') as difference_fr,
        coalesce(fr_signed(r.relative_difference * 100) || ' %', '–') as relative_fr
    from revisions as r
    left join dim_indicators as i using (scheme_id, indicator_code)
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
