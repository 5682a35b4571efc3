-- The measures formulas combine (sources/measures.yaml), with their publication rules: the
-- publication hides small counts of a measure counting people, and of a « dont » (part_of)
-- when the rest of its whole is small.
select
    cast(measure_code as varchar) as measure_code,
    -- `label` and `source` (non-reserved keywords in DuckDB) are the published names.
    cast(label as varchar) as label,  -- noqa: RF04
    cast(source_kind as varchar) as source,  -- noqa: RF04
    cast(source_column as varchar) as source_column,
    cast(aggregation as varchar) as aggregation,
    cast(counts_people as boolean) as counts_people,
    cast(part_of as varchar) as part_of
from {{ ref('stg_schemes__measures') }}
