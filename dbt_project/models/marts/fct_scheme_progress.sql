-- Progress of each scheme per year: the plain mean of the progress of its axes that have one.
-- Axes whose followed actions (by indicators or milestones) have no progress that year are
-- listed as missing.
with axis_progress as (
    select * from {{ ref('fct_axis_progress') }}
),

rolled as (
    select
        scheme_id,
        year,
        count(*) filter (where actions_expected > 0) as axes_expected,
        count(progress) as axes_with_value,
        string_agg(
            case when actions_expected > 0 and progress is null then axis_code end,
            ', '
            order by axis_code
        ) as missing_axis_codes,
        sum(actions_expected) as actions_expected,
        sum(actions_with_value) as actions_with_value,
        sum(actions_by_milestones) as actions_by_milestones,
        sum(actions_not_followed) as actions_not_followed,
        sum(indicators_expected) as indicators_expected,
        sum(indicators_with_value) as indicators_with_value,
        {{ exact_avg('progress') }} as progress,
        {{ exact_avg('expected_progress', 'progress is not null') }} as expected_progress
    from axis_progress
    group by all
)

{%- set status = progress_status('axes_expected', 'progress', 'expected_progress') %}

select
    cast(scheme_id as varchar) as scheme_id,
    -- `year` is a non-reserved keyword in DuckDB, and the name pages query.
    cast(year as integer) as year,  -- noqa: RF04
    cast(axes_expected as integer) as axes_expected,
    cast(axes_with_value as integer) as axes_with_value,
    cast(axes_expected - axes_with_value as integer) as axes_missing,
    cast(missing_axis_codes as varchar) as missing_axis_codes,
    cast(actions_expected as integer) as actions_expected,
    cast(actions_with_value as integer) as actions_with_value,
    cast(actions_by_milestones as integer) as actions_by_milestones,
    cast(actions_not_followed as integer) as actions_not_followed,
    cast(indicators_expected as integer) as indicators_expected,
    cast(indicators_with_value as integer) as indicators_with_value,
    cast(progress as double) as progress,
    cast(expected_progress as double) as expected_progress,
    cast({{ status }} as varchar) as status,
    cast({{ vocabulary_label('progress_statuses', status) }} as varchar) as status_label
from rolled
