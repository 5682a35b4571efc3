-- The measures formulas combine, with their publication rules (sources/measures.yaml): the
-- method page names those counting people, whose small counts are hidden.
select measure_code, label, source, aggregation, counts_people, part_of
from dim_measures
