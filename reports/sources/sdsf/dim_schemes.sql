-- Schemes, with the French label of their kind (from the vocabulary) and period.
-- `page` is the address of the entity's page (the folders under pages/schemas/): every link uses it.
select
    s.*,
    coalesce(k.label, s.kind) as kind_label,
    cast(s.start_year as varchar) || '–' || cast(s.end_year as varchar) as period_label,
    '/schemas/' || s.scheme_id || '/' as page,
    '/schemas/' || s.scheme_id || '/territoires' as territories_page
from dim_schemes as s
left join dim_vocabulary as k on k.vocabulary = 'scheme_kinds' and k.code = s.kind
