-- Status of a rolled-up progress (indicator -> action -> axis -> scheme), compared with the
-- progress expected on the trajectories of the same indicators: a code of the
-- progress_statuses of sources/vocabulary.yaml (label it with vocabulary_label).
{% macro progress_status(expected_count, progress, expected_progress) -%}
    case
        when {{ expected_count }} = 0 then 'no_indicator'
        when {{ progress }} is null then 'missing_data'
        when {{ progress }} >= 1 then 'target_met'
        when {{ progress }} >= {{ expected_progress }} then 'on_track'
        else 'behind'
    end
{%- endmacro %}
