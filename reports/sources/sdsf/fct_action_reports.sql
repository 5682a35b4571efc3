-- The state of each action per period as last reported, with French share and dates. The
-- partner's comment is passed as written: pages print it as text, so markup stays inert.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        r.*,
        coalesce(fr_percent(r.share_done / 100), '–') as share_done_fr,
        strftime(r.received_at, '%d/%m/%Y') as received_fr,
        strftime(r.period_end, '%d/%m/%Y') as period_end_fr,
        coalesce(p.partner_name, r.partner_code) as partner_name
    from fct_action_reports as r
    left join dim_partners as p on p.partner_code = r.partner_code
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
