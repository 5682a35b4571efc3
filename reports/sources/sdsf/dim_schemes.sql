-- Schemes, with the French label of their kind (from the vocabulary) and period.
-- `page` is the address of the entity's page (the folders under pages/schemas/), relative to the
-- site's base (a slice lives under /<département>/, orchestration/site_paths.py): every link uses it.
select
    s.*,
    coalesce(k.label, s.kind) as kind_label,
    cast(s.start_year as varchar) || '–' || cast(s.end_year as varchar) as period_label,
    -- Its span by month (a charte MSA runs 42 months, from 09/2018 to 02/2022).
    cast(date_diff('month', s.start_date, s.end_date) + 1 as integer) as months,
    strftime(s.start_date, '%m/%Y') as start_month_fr,
    strftime(s.end_date, '%m/%Y') as end_month_fr,
    'schemas/' || s.scheme_id || '/' as page,
    'schemas/' || s.scheme_id || '/territoires' as territories_page
from dim_schemes as s
left join dim_vocabulary as k on k.vocabulary = 'scheme_kinds' and k.code = s.kind
