-- Rows of the latest accepted revision: a newer file from the same partner for the same kind
-- and period supersedes the older one, which stays in raw for the "as submitted" history.
{% macro latest_revision(relation) -%}
    select *
    from {{ relation }}
    qualify dense_rank() over (
        partition by partner_code, period
        order by received_at desc, submission_id desc
    ) = 1
{%- endmacro %}
