-- Indicators, with their baseline and final target written the French way, and the labels of
-- their direction and trajectory method from the vocabulary.
-- `page` is the address of the entity's page (the folders under pages/schemas/), relative to the
-- site's base (a slice lives under /<département>/, orchestration/site_paths.py): every link uses it.
select
    i.*,
    coalesce(fr_number(i.baseline_value, i.unit), '–') as baseline_fr,
    fr_number(i.final_target_value, i.unit) as final_target_fr,
    d.label as direction_label,
    t.label as trajectory_method_label,
    'schemas/' || i.scheme_id || '/indicateurs/' || i.indicator_code as page
from dim_indicators as i
left join dim_vocabulary as d on d.vocabulary = 'directions' and d.code = i.direction
left join dim_vocabulary as t
    on t.vocabulary = 'trajectory_methods' and t.code = i.trajectory_method
