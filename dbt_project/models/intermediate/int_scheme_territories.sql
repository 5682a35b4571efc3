-- The territories each scheme follows: its communes, their EPCI and the scheme's whole area
-- (the département, or the perimeter a charte names), with the fact codes that roll up to each.
with schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
),

perimeter as (
    select * from {{ ref('stg_schemes__scheme_perimeter') }}
),

communes as (
    select * from {{ ref('stg_cog__communes') }}
),

schemes_with_perimeter as (
    select distinct scheme_id from perimeter
),

scheme_communes as (
    select
        schemes.scheme_id,
        communes.commune_code,
        communes.epci_siren,
        'departement' as area_level,
        schemes.departement_code as area_code
    from schemes
    inner join communes
        on
            schemes.departement_code = communes.departement_code
            and communes.commune_type = 'commune'
    left join schemes_with_perimeter
        on schemes.scheme_id = schemes_with_perimeter.scheme_id
    where schemes_with_perimeter.scheme_id is null
    union all
    select distinct
        perimeter.scheme_id,
        communes.commune_code,
        communes.epci_siren,
        'perimetre' as area_level,
        perimeter.scheme_id as area_code
    from perimeter
    inner join communes
        on
            communes.commune_type = 'commune'
            and (
                (
                    perimeter.territory_level = 'commune'
                    and perimeter.territory_code = communes.commune_code
                )
                or (
                    perimeter.territory_level = 'epci'
                    and perimeter.territory_code = communes.epci_siren
                )
            )
),

-- Facts coded with a municipal arrondissement (Paris, Lyon, Marseille) count for the city.
fact_communes as (
    select
        commune_code as fact_code,
        coalesce(parent_commune_code, commune_code) as commune_code
    from communes
),

commune_facts as (
    select
        scheme_communes.scheme_id,
        scheme_communes.commune_code,
        scheme_communes.epci_siren,
        scheme_communes.area_level,
        scheme_communes.area_code,
        fact_communes.fact_code
    from scheme_communes
    inner join fact_communes on scheme_communes.commune_code = fact_communes.commune_code
),

-- A commune's facts count for the commune, its EPCI and the scheme's area; an EPCI's facts
-- (a partner reporting for the whole EPCI) for the EPCI and the area, never for one commune.
rollup as (
    select
        scheme_id,
        'commune' as fact_level,
        fact_code,
        'commune' as territory_level,
        commune_code as territory_code
    from commune_facts
    union all
    select
        scheme_id,
        'commune' as fact_level,
        fact_code,
        'epci' as territory_level,
        epci_siren as territory_code
    from commune_facts
    union all
    select
        scheme_id,
        'commune' as fact_level,
        fact_code,
        area_level as territory_level,
        area_code as territory_code
    from commune_facts
    union all
    select
        scheme_id,
        'epci' as fact_level,
        epci_siren as fact_code,
        'epci' as territory_level,
        epci_siren as territory_code
    from scheme_communes
    where epci_siren is not null
    union all
    select
        scheme_id,
        'epci' as fact_level,
        epci_siren as fact_code,
        area_level as territory_level,
        area_code as territory_code
    from scheme_communes
    where epci_siren is not null
)

select distinct
    scheme_id,
    fact_level,
    fact_code,
    territory_level,
    territory_code
from rollup
where territory_code is not null
