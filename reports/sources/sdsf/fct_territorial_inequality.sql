-- `figures_label` (fct_period_approvals): « validé » or « provisoire » beside the year's figures.
-- Yearly inequality figures between a scheme's territories, with French texts.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        t.*,
        i.label as indicator_label,
        i.unit,
        coalesce(fr_number(t.min_value, i.unit), '–') as min_fr,
        coalesce(fr_number(t.max_value, i.unit), '–') as max_fr,
        coalesce(fr_number(t.mean_value, i.unit), '–') as mean_fr,
        coalesce(fr_number(t.priority_value, i.unit), '–') as priority_fr,
        coalesce(fr_number(t.non_priority_value, i.unit), '–') as non_priority_fr,
        coalesce(fr_number(t.priority_gap, i.unit), '–') as priority_gap_fr,
        coalesce(fr_number(t.threshold_value, i.unit), '–') as threshold_fr,
        coalesce(fr_decimal(t.fifth_ratio, 2), '–') as fifth_ratio_fr,
        coalesce(fr_decimal(t.coefficient_of_variation, 2), '–') as cv_fr,
        a.figures_label,
        a.is_approved
    from fct_territorial_inequality as t
    left join dim_indicators as i using (scheme_id, indicator_code)
    left join fct_period_approvals as a using (scheme_id, year)
    where t.period_type = 'year'
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
