-- Indicators, with their baseline and final target written the French way.
-- `page` is the address of the entity's page (the folders under pages/schemas/): every link uses it.
select
    *,
    coalesce(fr_number(baseline_value, unit), '–') as baseline_fr,
    fr_number(final_target_value, unit) as final_target_fr,
    '/schemas/' || scheme_id || '/indicateurs/' || indicator_code as page
from dim_indicators
