-- The French label of a code, from the project's one vocabulary (sources/vocabulary.yaml,
-- loaded as raw.vocabulary): `{{ vocabulary_label('progress_statuses', 'status') }}` is the
-- label of the row's `status` among the progress statuses, null for a null or unknown code
-- (the marts test their labels not_null, so an unknown code fails the build).
--
-- A scalar subquery: `code` is an expression of the calling query. Qualify it with its table
-- when it is named like a column of the vocabulary (vocabulary, code, label, position).
{% macro vocabulary_label(vocabulary, code) -%}
    (
        select vocabulary_entry.label
        from {{ ref('stg_reference__vocabulary') }} as vocabulary_entry
        where
            vocabulary_entry.vocabulary = '{{ vocabulary }}'
            and vocabulary_entry.code = {{ code }}
    )
{%- endmacro %}
