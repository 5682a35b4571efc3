-- Every code list of the project with the French label of each code, as published: the
-- exports' readers and the site find here what the codes of the other marts mean.
select
    cast(vocabulary as varchar) as vocabulary,
    cast(code as varchar) as code,
    -- `label` and `position` are non-reserved keywords in DuckDB, kept as in vocabulary.yaml.
    cast(label as varchar) as label,  -- noqa: RF04
    cast(definition as varchar) as definition,
    cast(position as integer) as position  -- noqa: RF04
from {{ ref('stg_reference__vocabulary') }}
