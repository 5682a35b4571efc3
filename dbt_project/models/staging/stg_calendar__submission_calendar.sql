select * from {{ source('calendar', 'submission_calendar') }}
