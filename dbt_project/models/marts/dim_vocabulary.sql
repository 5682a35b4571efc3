-- Every code list of the project with the French label of each code, as published: the
-- exports' readers and the site find here what the codes of the other marts mean. The staging
-- view has already typed the columns.
select
    vocabulary,
    code,
    -- `label` and `position` are non-reserved keywords in DuckDB, kept as in vocabulary.yaml.
    label,  -- noqa: RF04
    definition,
    position  -- noqa: RF04
from {{ ref('stg_reference__vocabulary') }}
