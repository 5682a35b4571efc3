-- The indicator pages' maps: every commune and EPCI of a scheme at the latest year its level has
-- (the year of the pages' tables), in up to five classes of value (quintiles, each labelled with
-- the smallest and largest value it holds). Classes are cut from the published values only: a
-- hidden figure is null here (statistical secrecy is applied before this file is written), so it
-- neither moves a boundary nor gets a class; it reads « secret statistique » instead.
-- A hidden figure reads its secrecy_note (the vocabulary's label of the status `secret`).
-- `classe`: 1..5, or 0 for a hidden figure, -1 for a territory without a value.
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with latest as (
    select scheme_id, indicator_code, territory_level, max(year) as year
    from fct_indicator_values
    where period_type = 'year' and territory_level in ('commune', 'epci')
    group by all
),

territories as (
    select l.*, t.territory_code, t.territory_name, coalesce(t.is_priority, false) as is_priority
    from latest as l
    join dim_territories as t using (scheme_id, territory_level)
),

valued as (
    select
        t.*,
        v.value,
        coalesce(v.secret_value, false) as secret_value,
        v.secrecy_note,
        -- the vocabulary's word for a figure that is missing
        (
            select label from dim_vocabulary
            where vocabulary = 'progress_statuses' and code = 'missing_data'
        ) as missing_label,
        i.unit,
        s.departement_code
    from territories as t
    left join fct_indicator_values as v
        on
            v.period_type = 'year'
            and v.scheme_id = t.scheme_id
            and v.indicator_code = t.indicator_code
            and v.territory_level = t.territory_level
            and v.territory_code = t.territory_code
            and v.year = t.year
    join dim_indicators as i on i.scheme_id = t.scheme_id and i.indicator_code = t.indicator_code
    join dim_schemes as s on s.scheme_id = t.scheme_id
),

bounds as (
    select
        scheme_id, indicator_code, territory_level,
        quantile_cont(value, [0.2, 0.4, 0.6, 0.8]) as cuts
    from valued
    where value is not null
    group by all
),

classed as (
    select
        v.*,
        case
            when v.value is not null
                then 1 + len(list_filter(b.cuts, lambda c: c < v.value))
            when v.secret_value then 0
            else -1
        end as classe
    from valued as v
    left join bounds as b using (scheme_id, indicator_code, territory_level)
),

labels as (
    select
        scheme_id, indicator_code, territory_level, classe,
        case
            when min(value) = max(value) then fr_number(min(value), any_value(unit))
            else
                fr_number(min(value), any_value(unit))
                || ' à ' || fr_number(max(value), any_value(unit))
        end as classe_label
    from classed
    where classe > 0
    group by all
),

q as (
    select
        c.scheme_id,
        c.indicator_code,
        c.territory_level,
        c.territory_code,
        c.territory_name,
        c.departement_code,
        c.is_priority,
        cast(c.year as varchar) as annee,
        c.classe,
        coalesce(
            fr_number(c.value, c.unit),
            case when c.secret_value then c.secrecy_note else c.missing_label end
        ) as value_fr,
        coalesce(
            l.classe_label,
            case c.classe when 0 then c.secrecy_note else c.missing_label end
        ) as classe_label
    from classed as c
    left join labels as l using (scheme_id, indicator_code, territory_level, classe)
)

select * from q
union all
select q.* from (select 1) as one left join q on false
where not exists (from q)
