-- Value at `year` on the path from (y0, v0) to (y1, v1): a straight line, or for method 'cagr'
-- a constant annual growth rate (the Open SDG / Statistics Canada method), which needs v0 > 0.
-- Outside [y0, y1] it holds the nearer end; with no point before `year` there is no value.
{% macro interpolate(y0, v0, y1, v1, year, method) -%}
    case
        when {{ y0 }} is null then null
        when {{ y1 }} is null or {{ y1 }} = {{ y0 }} then {{ v0 }}
        when {{ method }} = 'cagr' and {{ v0 }} > 0 and {{ v1 }} > 0
            then {{ v0 }} * power({{ v1 }} / {{ v0 }}, ({{ year }} - {{ y0 }}) / ({{ y1 }} - {{ y0 }}))
        else {{ v0 }} + ({{ v1 }} - {{ v0 }}) * ({{ year }} - {{ y0 }}) / ({{ y1 }} - {{ y0 }})
    end
{%- endmacro %}
