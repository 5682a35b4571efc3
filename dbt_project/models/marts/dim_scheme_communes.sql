-- Each scheme's communes with their EPCI and the scheme's whole area: how commune figures add
-- up to EPCI and area figures (what statistical secrecy needs to keep a hidden count hidden).
with rollup as (
    select * from {{ ref('int_scheme_territories') }}
    where fact_level = 'commune'
),

communes as (
    select
        scheme_id,
        fact_code,
        territory_code as commune_code
    from rollup
    where territory_level = 'commune'
),

epci as (
    select
        scheme_id,
        fact_code,
        territory_code as epci_siren
    from rollup
    where territory_level = 'epci'
),

areas as (
    select distinct
        scheme_id,
        territory_level as area_level,
        territory_code as area_code
    from rollup
    where territory_level in ('departement', 'perimetre')
),

scheme_communes as (
    select
        communes.scheme_id,
        communes.commune_code,
        any_value(epci.epci_siren) as epci_siren,
        any_value(areas.area_level) as area_level,
        any_value(areas.area_code) as area_code
    from communes
    left join epci
        on communes.scheme_id = epci.scheme_id and communes.fact_code = epci.fact_code
    left join areas on communes.scheme_id = areas.scheme_id
    group by communes.scheme_id, communes.commune_code
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(commune_code as varchar) as commune_code,
    cast(epci_siren as varchar) as epci_siren,
    cast(area_level as varchar) as area_level,
    cast(area_code as varchar) as area_code
from scheme_communes
