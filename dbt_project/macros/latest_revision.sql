-- Rows of the latest accepted revision: a newer file from the same partner for the same kind
-- and period supersedes the older one, which stays in raw for the "as submitted" history.
-- A file the lock at intake holds (received after its period was approved: stg_locks) counts
-- for nothing until the period is unlocked, so the revision before it stays the latest.
{% macro latest_revision(relation) -%}
    select *
    from {{ relation }}
    where submission_id not in (
        select held.submission_id from {{ ref('stg_locks__submission_holds') }} as held
    )
    qualify dense_rank() over (
        partition by partner_code, period
        order by received_at desc, submission_id desc
    ) = 1
{%- endmacro %}
