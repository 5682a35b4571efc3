-- French names of the registry's codes, for what evaluators and partners read. One place, so
-- the marts, the site and the exports say the same.
{% macro submission_kind_label(kind) -%}
    case {{ kind }}
        when 'placements' then 'places et enfants accueillis'
        when 'attendance' then 'heures'
        when 'beneficiaries' then 'bénéficiaires'
    end
{%- endmacro %}

{% macro cadence_label(cadence) -%}
    case {{ cadence }}
        when 'year' then 'annuel'
        when 'quarter' then 'trimestriel'
        when 'month' then 'mensuel'
    end
{%- endmacro %}
