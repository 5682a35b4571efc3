-- One row per partner and scheme it takes part in (dim_partners.scheme_ids unnested).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select partner_code, unnest(scheme_ids) as scheme_id
    from dim_partners
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
