-- Rows of the revisions that count: per kind, partner and period, the latest file, a file the
-- lock at intake holds left out. The rule is written once, in Python-owned SQL
-- (orchestration/intake/revisions.py: the view raw.counted_revisions, which the intake's
-- quality rules read too); this macro keeps the rows of the files it lists, period by period:
-- a newer file for one of a file's periods supersedes it for that period only. Older
-- revisions stay in raw for the "as submitted" history.
{% macro latest_revision(relation) -%}
    select rows.*
    from {{ relation }} as rows
    inner join {{ ref('stg_locks__counted_revisions') }} as counted
        on
            rows.submission_id = counted.submission_id
            and rows.period = counted.period
{%- endmacro %}
