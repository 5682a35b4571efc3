{{ latest_revision(ref('stg_submissions__action_reports')) }}
