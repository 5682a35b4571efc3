-- Every non-null value of the column is a code of the named list(s) of sources/vocabulary.yaml
-- (raw.vocabulary): the codes are written once, there, instead of in accepted_values lists.
-- `vocabulary` is a list name or a list of names (a column may take the codes of two lists).
-- A misspelt list name fails on every row, so it cannot pass unnoticed.
{% test in_vocabulary(model, column_name, vocabulary) %}
    {%- set names = [vocabulary] if vocabulary is string else vocabulary -%}
    select
        cast({{ column_name }} as varchar) as code,
        count(*) as occurrences
    from {{ model }}
    where
        {{ column_name }} is not null
        and cast({{ column_name }} as varchar) not in (
            select vocabulary_entry.code
            from {{ ref('stg_reference__vocabulary') }} as vocabulary_entry
            where vocabulary_entry.vocabulary in (
                {%- for name in names %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            )
        )
    group by 1
{% endtest %}
