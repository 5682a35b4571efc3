{{ latest_revision(ref('stg_submissions__beneficiaries')) }}
