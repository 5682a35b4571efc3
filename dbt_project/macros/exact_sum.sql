-- Sums and means of floating values that do not depend on the order rows come in. DuckDB adds
-- doubles in an order that varies with its threads (and with how a table's rows were written),
-- so a rerun on the same data could change a figure in its last digits. Each value is taken to
-- 18 decimals (partners write at most 2 or 3; a progress of 0.01 keeps 16 significant digits)
-- and added as an exact DECIMAL(38, 18), which is associative and holds totals up to 10^20;
-- the total is handed on as a double, so the columns' types (and the marts' contracts) stay as
-- they were. `where` is an aggregate filter.
{% macro exact_sum(expression, where=none) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, 18)))
        {%- if where %} filter (where {{ where }}){% endif %} as double
    )
{%- endmacro %}

-- The mean of the non-null values, by the exact sum above (avg() of doubles depends on order).
{% macro exact_avg(expression, where=none) -%}
    (
        {{ exact_sum(expression, where) }}
        / count({{ expression }}){% if where %} filter (where {{ where }}){% endif %}
    )
{%- endmacro %}

-- The population standard deviation, order-free: the values are first listed in their own
-- order (ties are equal values, so the list is the same on every run), then reduced in that
-- one order; stddev_pop() alone would combine per-thread partial states in any order.
{% macro ordered_stddev_pop(expression) -%}
    list_stddev_pop(list({{ expression }} order by {{ expression }}))
{%- endmacro %}
