-- One row per partner of the registry: where it works, what it must send, and the schemes
-- concerned. Lists are sorted so that a rebuild gives the same values; the *_label columns say
-- the same in French for pages that cannot show a list.
with partners as (
    select * from {{ ref('stg_schemes__partners') }}
),

departements as (
    select
        partner_code,
        list_sort(list(departement_code)) as departement_codes
    from {{ ref('stg_schemes__partner_departements') }}
    group by partner_code
),

expected_files as (
    select
        partner_code,
        submission_kind,
        deadline_days,
        {{ vocabulary_label('submission_kinds', 'submission_kind') }} as submission_kind_label,
        {{ vocabulary_label('granularities', 'cadence') }} as cadence_label
    from {{ ref('stg_schemes__partner_submissions') }}
),

submissions as (
    select
        partner_code,
        list_sort(list(submission_kind)) as submission_kinds,
        string_agg(
            submission_kind_label || ' : un fichier par '
            || cadence_label || ', sous ' || deadline_days || ' jours',
            ' ; '
            order by submission_kind
        ) as submissions_label
    from expected_files
    group by partner_code
),

-- The schemes of the départements a partner covers: the years they span are the years its
-- files are expected for (see fct_submission_completeness).
schemes as (
    select
        partner_departements.partner_code,
        list_sort(list(distinct schemes.scheme_id)) as scheme_ids,
        min(schemes.start_year) as first_expected_year,
        max(schemes.end_year) as last_expected_year
    from {{ ref('stg_schemes__partner_departements') }} as partner_departements
    inner join {{ ref('stg_schemes__schemes') }} as schemes
        on partner_departements.departement_code = schemes.departement_code
    group by partner_departements.partner_code
),

piloted as (
    select
        pilot_partner_code as partner_code,
        list_sort(list(distinct scheme_id)) as piloted_scheme_ids,
        count(*) as piloted_actions
    from {{ ref('stg_schemes__actions') }}
    where pilot_partner_code is not null
    group by pilot_partner_code
)

select
    cast(partners.partner_code as varchar) as partner_code,
    cast(partners.partner_name as varchar) as partner_name,
    cast(partners.partner_type as varchar) as partner_type,
    cast(coalesce(departements.departement_codes, []) as varchar[]) as departement_codes,
    cast(array_to_string(departements.departement_codes, ', ') as varchar) as departements_label,
    cast(coalesce(submissions.submission_kinds, []) as varchar[]) as submission_kinds,
    cast(coalesce(submissions.submissions_label, 'aucun envoi attendu') as varchar)
        as submissions_label,
    cast(coalesce(schemes.scheme_ids, []) as varchar[]) as scheme_ids,
    cast(schemes.first_expected_year as integer) as first_expected_year,
    cast(schemes.last_expected_year as integer) as last_expected_year,
    cast(coalesce(piloted.piloted_scheme_ids, []) as varchar[]) as piloted_scheme_ids,
    cast(coalesce(piloted.piloted_actions, 0) as integer) as piloted_actions
from partners
left join departements on partners.partner_code = departements.partner_code
left join submissions on partners.partner_code = submissions.partner_code
left join schemes on partners.partner_code = schemes.partner_code
left join piloted on partners.partner_code = piloted.partner_code
