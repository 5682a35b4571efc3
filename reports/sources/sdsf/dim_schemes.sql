-- Schemes, with the French label of their kind and period.
select
    *,
    case kind
        when 'sdsf' then 'Schéma départemental des services aux familles'
        when 'charte_msa' then 'Charte territoriale MSA « Avec les familles »'
        else kind
    end as kind_label,
    cast(start_year as varchar) || '–' || cast(end_year as varchar) as period_label
from dim_schemes
