-- Status in French of a rolled-up progress (indicator -> action -> axis -> scheme), compared
-- with the progress expected on the trajectories of the same indicators.
{% macro progress_status(expected_count, progress, expected_progress) -%}
    case
        when {{ expected_count }} = 0 then 'sans indicateur'
        when {{ progress }} is null then 'données manquantes'
        when {{ progress }} >= 1 then 'cible atteinte'
        when {{ progress }} >= {{ expected_progress }} then 'sur la trajectoire'
        else 'en retard'
    end
{%- endmacro %}
