-- Territories the schemes follow, with their names: communes, EPCI, départements, perimeters,
-- and the two groups of a scheme's priority rule (priority territories and the rest).
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
),

priority as (
    select * from {{ ref('int_priority_territories') }}
),

groups as (
    select
        scheme_id,
        case when is_priority then 'prioritaire' else 'hors_prioritaire' end as group_level,
        count(*) as members,
        any_value(territory_level) as member_level
    from priority
    group by all
),

named as (
    select
        territories.scheme_id,
        territories.territory_level,
        territories.territory_code,
        priority.is_priority,
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
        on
            territories.territory_level = 'perimetre'
            and territories.territory_code = schemes.scheme_id
    left join priority
        on
            territories.scheme_id = priority.scheme_id
            and territories.territory_level = priority.territory_level
            and territories.territory_code = priority.territory_code
),

group_rows as (
    select
        scheme_id,
        group_level as territory_level,
        group_level as territory_code,
        group_level = 'prioritaire' as is_priority,
        case group_level
            when 'prioritaire' then 'Territoires prioritaires'
            else 'Territoires hors prioritaires'
        end
        || ' ('
        || members
        || ' '
        || case member_level when 'epci' then 'EPCI' else 'communes' end
        || ')' as territory_name
    from groups
),

all_rows as (
    select * from named
    union all by name
    select * from group_rows
)

select
    cast(scheme_id as varchar) as scheme_id,
    cast(territory_level as varchar) as territory_level,
    cast(territory_code as varchar) as territory_code,
    cast(territory_name as varchar) as territory_name,
    cast(is_priority as boolean) as is_priority
from all_rows
