-- Indicators, with their baseline and final target written the French way.
select
    *,
    coalesce(fr_number(baseline_value, unit), '–') as baseline_fr,
    fr_number(final_target_value, unit) as final_target_fr
from dim_indicators
