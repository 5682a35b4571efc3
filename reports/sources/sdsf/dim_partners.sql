-- List columns become text: the pages only print them.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        partner_code, partner_name, partner_type, departements_label, submissions_label,
        array_to_string(scheme_ids, ', ') as scheme_ids_label,
        piloted_actions
    from dim_partners
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
