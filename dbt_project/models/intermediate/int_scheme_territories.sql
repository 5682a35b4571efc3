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
    where not exists (
        select 1 from perimeter where perimeter.scheme_id = schemes.scheme_id
    )
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
                (perimeter.territory_level = 'commune' and perimeter.territory_code = communes.commune_code)
                or (perimeter.territory_level = 'epci' and perimeter.territory_code = communes.epci_siren)
            )
),

-- Facts coded with a municipal arrondissement (Paris, Lyon, Marseille) count for the city.
fact_communes as (
    select
        commune_code as fact_code,
        coalesce(parent_commune_code, commune_code) as commune_code
    from communes
),

rollup as (
    select
        scheme_communes.scheme_id,
        'commune' as fact_level,
        fact_communes.fact_code,
        levels.territory_level,
        levels.territory_code
    from scheme_communes
    inner join fact_communes on scheme_communes.commune_code = fact_communes.commune_code
    cross join lateral (
        select 'commune' as territory_level, scheme_communes.commune_code as territory_code
        union all
        select 'epci', scheme_communes.epci_siren
        union all
        select scheme_communes.area_level, scheme_communes.area_code
    ) as levels
    union all
    select distinct
        scheme_id,
        'epci' as fact_level,
        epci_siren as fact_code,
        levels.territory_level,
        levels.territory_code
    from scheme_communes
    cross join lateral (
        select 'epci' as territory_level, scheme_communes.epci_siren as territory_code
        union all
        select scheme_communes.area_level, scheme_communes.area_code
    ) as levels
    where epci_siren is not null
)

select distinct * from rollup
where territory_code is not null
