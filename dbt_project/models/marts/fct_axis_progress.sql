-- Progress of each axis per year: the plain mean of the progress of its actions that have one,
-- whatever their basis (indicators or milestones; each action counts once, whatever its number
-- of indicators or milestones). Followed actions without progress that year are listed as
-- missing; actions nothing follows (basis none) are counted apart.
with action_progress as (
    select * from {{ ref('fct_action_progress') }}
),

rolled as (
    select
        scheme_id,
        axis_code,
        year,
        count(*) filter (where basis <> 'none') as actions_expected,
        count(progress) as actions_with_value,
        count(*) filter (where basis = 'milestones') as actions_by_milestones,
        count(*) filter (where basis = 'none') as actions_not_followed,
        string_agg(
            case when basis <> 'none' and progress is null then action_code end,
            ', '
            order by action_code
        ) as missing_action_codes,
        sum(indicators_expected) as indicators_expected,
        sum(indicators_with_value) as indicators_with_value,
        {{ exact_avg('progress') }} as progress,
        {{ exact_avg('expected_progress', 'progress is not null') }} as expected_progress
    from action_progress
    group by all
)

{%- set status = progress_status('actions_expected', 'progress', 'expected_progress') %}

select
    cast(scheme_id as varchar) as scheme_id,
    cast(axis_code as varchar) as axis_code,
    -- `year` is a non-reserved keyword in DuckDB, and the name pages query.
    cast(year as integer) as year,  -- noqa: RF04
    cast(actions_expected as integer) as actions_expected,
    cast(actions_with_value as integer) as actions_with_value,
    cast(actions_expected - actions_with_value as integer) as actions_missing,
    cast(missing_action_codes as varchar) as missing_action_codes,
    cast(actions_by_milestones as integer) as actions_by_milestones,
    cast(actions_not_followed as integer) as actions_not_followed,
    cast(indicators_expected as integer) as indicators_expected,
    cast(indicators_with_value as integer) as indicators_with_value,
    cast(progress as double) as progress,
    cast(expected_progress as double) as expected_progress,
    cast({{ status }} as varchar) as status,
    cast({{ vocabulary_label('progress_statuses', status) }} as varchar) as status_label
from rolled
