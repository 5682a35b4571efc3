-- Territories the schemes follow, with their names: communes, EPCI, départements, perimeters.
with territories as (
    select distinct
        scheme_id,
        territory_level,
        territory_code
    from {{ ref('int_scheme_territories') }}
),

communes as (
    select * from {{ ref('stg_cog__communes') }}
),

epci as (
    select * from {{ ref('stg_cog__epci') }}
),

departements as (
    select * from {{ ref('stg_cog__departements') }}
),

schemes as (
    select * from {{ ref('stg_schemes__schemes') }}
)

select
    territories.scheme_id,
    territories.territory_level,
    territories.territory_code,
    coalesce(
        communes.commune_name,
        epci.epci_name,
        departements.departement_name,
        'Périmètre : ' || schemes.title
    ) as territory_name
from territories
left join communes
    on
        territories.territory_level = 'commune'
        and territories.territory_code = communes.commune_code
left join epci
    on territories.territory_level = 'epci' and territories.territory_code = epci.epci_siren
left join departements
    on
        territories.territory_level = 'departement'
        and territories.territory_code = departements.departement_code
left join schemes
    on territories.territory_level = 'perimetre' and territories.territory_code = schemes.scheme_id
