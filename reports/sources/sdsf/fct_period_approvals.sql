-- The sign-off of every year of every scheme, with French dates. Labels come from the
-- vocabulary through the mart (approval_state_label, figures_label).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        *,
        strftime(reviewed_at, '%d/%m/%Y') as reviewed_fr,
        strftime(approved_at, '%d/%m/%Y') as approved_fr
    from fct_period_approvals
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
