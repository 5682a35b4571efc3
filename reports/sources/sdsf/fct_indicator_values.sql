-- `figures_label` (fct_period_approvals): « validé » or « provisoire » beside the year's figures.
-- Yearly values (quarterly rows are in fct_indicator_values_quarterly) with French texts, written
-- by the macros of site.duckdb (orchestration/editions.py). `is_area` marks the scheme's whole
-- area (the département, or the charte's perimeter).
-- A hidden figure reads its secrecy_note (the vocabulary's label of the status `secret`).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        v.*,
        i.unit,
        i.label as indicator_label,
        v.territory_level in ('departement', 'perimetre') as is_area,
        coalesce(
            fr_number(v.value, i.unit),
            case when v.secret_value then v.secrecy_note else '–' end
        ) as value_fr,
        coalesce(fr_number(v.expected_value, i.unit), '–') as expected_fr,
        coalesce(fr_number(v.target_value, i.unit), '–') as target_fr,
        coalesce(
            fr_number(v.baseline_value, i.unit),
            case when v.secret_baseline then v.secrecy_note else '–' end
        ) as baseline_fr,
        coalesce(fr_percent(v.progress), '–') as progress_fr,
        coalesce(fr_percent(v.expected_progress), '–') as expected_progress_fr,
        a.figures_label,
        a.is_approved
    from fct_indicator_values as v
    left join dim_indicators as i using (scheme_id, indicator_code)
    left join fct_period_approvals as a using (scheme_id, year)
    where v.period_type = 'year'
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
