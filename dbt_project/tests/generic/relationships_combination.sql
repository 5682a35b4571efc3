-- Foreign key over several columns: each row's `columns` must match a row of `to` on `fields`
-- (same order; defaults to the same names). Like dbt's `relationships`, rows with a null in any
-- of the columns are not checked. Codes repeat across schemes (TX_COUV_GLOBAL, axis "1"), so a
-- one-column relationship would pass on another scheme's row.
{% test relationships_combination(model, columns, to, fields=none) %}
    {%- set parent_fields = fields or columns -%}
    select child.*
    from {{ model }} as child
    where
        {% for column in columns -%}
            child.{{ column }} is not null and
        {% endfor -%}
        not exists (
            select 1
            from {{ to }} as parent
            where
                {% for column in columns -%}
                    child.{{ column }} = parent.{{ parent_fields[loop.index0] }}
                    {%- if not loop.last %} and {% endif %}
                {% endfor %}
        )
{% endtest %}
