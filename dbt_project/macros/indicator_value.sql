-- An indicator's value from its numerator and denominator, as the scheme YAML declares it:
-- a change since the baseline (count minus its baseline-year count), a rate or share
-- (factor × numerator ÷ denominator, none without a positive denominator), or a count.
{% macro indicator_value(
    factor, numerator, denominator, has_denominator, share_level, is_change, baseline_numerator
) -%}
    case
        when {{ is_change }} then {{ factor }} * ({{ numerator }} - {{ baseline_numerator }})
        when {{ has_denominator }} or {{ share_level }} is not null
            then case
                when {{ denominator }} > 0 then {{ factor }} * {{ numerator }} / {{ denominator }}
            end
        else {{ factor }} * {{ numerator }}
    end
{%- endmacro %}
