-- The rule's value and threshold are in the unit of the rule's indicator.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        p.*,
        coalesce(fr_number(p.rule_value, i.unit), '–') as rule_value_fr,
        coalesce(fr_number(p.threshold, i.unit), '–') as threshold_fr
    from dim_priority_territories as p
    left join dim_indicators as i
        on i.scheme_id = p.scheme_id and i.indicator_code = p.rule_indicator_code
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
