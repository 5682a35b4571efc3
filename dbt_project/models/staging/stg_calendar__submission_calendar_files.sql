select * from {{ source('calendar', 'submission_calendar_files') }}
