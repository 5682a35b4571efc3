-- The territories page's map: for each rate (unit « % » or « pour … »; counts depend on a
-- territory's size), every commune and EPCI of the scheme at the latest year its level has a
-- value, with its gap to the value of the scheme's whole area the same year (the area's rate is
-- the average of the scheme weighted by the children counted). Classes of the relative gap:
-- -2 (20 % or more below), -1 (5 to 20 % below), 0 (within 5 %), 1, 2 (above); 9 for a hidden
-- figure, -9 for a territory without a value. Published values only: a hidden figure is null
-- here, so its gap is never computed.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with rates as (
    select scheme_id, indicator_code, label as indicator_label, unit
    from dim_indicators
    where unit = '%' or unit like 'pour %'
),

latest as (
    select v.scheme_id, v.indicator_code, v.territory_level, max(v.year) as year
    from fct_indicator_values as v
    join rates as r using (scheme_id, indicator_code)
    where v.period_type = 'year' and v.territory_level in ('commune', 'epci')
        and v.value is not null
    group by all
),

area as (
    select scheme_id, indicator_code, year, value as area_value
    from fct_indicator_values
    where period_type = 'year' and territory_level in ('departement', 'perimetre')
),

valued as (
    select
        l.scheme_id, l.indicator_code, l.territory_level, l.year,
        t.territory_code, t.territory_name, coalesce(t.is_priority, false) as is_priority,
        r.indicator_label, r.unit, s.departement_code,
        v.value, coalesce(v.secret_value, false) as secret_value, v.secrecy_note,
        -- the vocabulary's word for a figure that is missing
        (
            select label from dim_vocabulary
            where vocabulary = 'progress_statuses' and code = 'missing_data'
        ) as missing_label,
        a.area_value,
        v.value - a.area_value as gap,
        (v.value - a.area_value) / nullif(a.area_value, 0) as relative_gap
    from latest as l
    join rates as r using (scheme_id, indicator_code)
    join dim_territories as t on t.scheme_id = l.scheme_id and t.territory_level = l.territory_level
    join dim_schemes as s on s.scheme_id = l.scheme_id
    left join fct_indicator_values as v
        on
            v.period_type = 'year'
            and v.scheme_id = l.scheme_id
            and v.indicator_code = l.indicator_code
            and v.territory_level = l.territory_level
            and v.territory_code = t.territory_code
            and v.year = l.year
    left join area as a
        on a.scheme_id = l.scheme_id and a.indicator_code = l.indicator_code and a.year = l.year
),

classed as (
    select
        v.*,
        case
            when v.relative_gap is not null
                then
                    case
                        when v.relative_gap <= -0.2 then -2
                        when v.relative_gap <= -0.05 then -1
                        when v.relative_gap < 0.05 then 0
                        when v.relative_gap < 0.2 then 1
                        else 2
                    end
            when v.secret_value then 9
            else -9
        end as classe
    from valued as v
),

q as (
    select
        v.scheme_id,
        v.indicator_code,
        v.indicator_label,
        v.territory_level,
        v.territory_code,
        v.territory_name,
        v.departement_code,
        v.is_priority,
        cast(v.year as varchar) as annee,
        coalesce(fr_number(v.area_value, v.unit), v.missing_label) as area_fr,
        v.classe,
        case v.classe
            when -2 then '20 % ou plus sous la valeur du schéma'
            when -1 then 'de 5 à 20 % sous la valeur du schéma'
            when 0 then 'à moins de 5 % de la valeur du schéma'
            when 1 then 'de 5 à 20 % au-dessus de la valeur du schéma'
            when 2 then '20 % ou plus au-dessus de la valeur du schéma'
            when 9 then v.secrecy_note
            else v.missing_label
        end as classe_label,
        coalesce(
            fr_number(v.value, v.unit),
            case when v.secret_value then v.secrecy_note else v.missing_label end
        ) as value_fr,
        coalesce(fr_signed(v.gap), '–') as gap_fr
    from classed as v
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
