-- `figures_label` (fct_period_approvals): « validé » or « provisoire » beside the year's figures.
-- Quarterly values (EAJE occupation and billing rates) for the scheme's whole area.
-- A hidden figure reads its secrecy_note (the vocabulary's label of the status `secret`).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        v.scheme_id, v.indicator_code, v.period, v.year, v.value,
        coalesce(
            fr_number(v.value, i.unit),
            case when v.secret_value then v.secrecy_note else '–' end
        ) as value_fr,
        a.figures_label
    from fct_indicator_values as v
    left join dim_indicators as i using (scheme_id, indicator_code)
    left join fct_period_approvals as a using (scheme_id, year)
    where v.period_type = 'quarter' and v.territory_level in ('departement', 'perimetre')
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
