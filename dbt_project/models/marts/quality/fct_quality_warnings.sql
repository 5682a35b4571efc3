-- One row per warning of a data-quality rule (sources/quality_rules.yaml) on an accepted file:
-- where it is, the value and the previous one it was compared with, and whether a reviewer
-- marked it justified (`sdsf justify`). The rules run at intake (orchestration/intake/quality.py).
with warnings as (
    select * from {{ ref('stg_quality__warnings') }}
),

submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

justifications as (
    select * from {{ ref('stg_quality__justifications') }}
),

rows_reported as (
    select
        submission_id,
        source_line,
        period,
        structure_code as subject_code
    from {{ ref('stg_submissions__placements') }}
    union all
    select
        submission_id,
        source_line,
        period,
        structure_code as subject_code
    from {{ ref('stg_submissions__attendance') }}
    union all
    select
        submission_id,
        source_line,
        period,
        action_code || ' / ' || territory_code || ' / ' || beneficiary_public as subject_code
    from {{ ref('stg_submissions__beneficiaries') }}
)

select
    w.warning_id,
    w.submission_id,
    s.partner_code,
    s.submission_kind,
    {{ vocabulary_label('submission_kinds', 's.submission_kind') }} as submission_kind_label,
    s.file_name,
    s.received_at,
    r.period,
    r.subject_code,
    w.source_line,
    w.column_name,
    w.rule_code,
    w.severity,
    {{ vocabulary_label('issue_severities', 'w.severity') }} as severity_label,
    w.value,
    w.previous_value,
    w.previous_period,
    w.message,
    j.warning_id is not null as justified,
    {{ vocabulary_label('review_statuses', "case when j.warning_id is null"
        ~ " then 'to_review' else 'justified' end") }} as review_status_label,
    j.justification_comment,
    j.justified_by,
    j.justified_at
from warnings as w
inner join submissions as s using (submission_id)
left join rows_reported as r
    on w.submission_id = r.submission_id and w.source_line = r.source_line
left join justifications as j using (warning_id)
