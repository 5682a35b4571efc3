-- Schemes, with the French label of their kind and period.
-- `page` is the address of the entity's page (the folders under pages/schemas/): every link uses it.
select
    *,
    case kind
        when 'sdsf' then 'Schéma départemental des services aux familles'
        when 'charte_msa' then 'Charte territoriale MSA « Avec les familles »'
        else kind
    end as kind_label,
    cast(start_year as varchar) || '–' || cast(end_year as varchar) as period_label,
    '/schemas/' || scheme_id || '/' as page,
    '/schemas/' || scheme_id || '/territoires' as territories_page
from dim_schemes
