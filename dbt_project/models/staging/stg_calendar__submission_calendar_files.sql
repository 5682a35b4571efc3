select
    submission_id,
    partner_code,
    submission_kind,
    received_at,
    accepted,
    matched,
    as_of_date
from {{ source('calendar', 'submission_calendar_files') }}
