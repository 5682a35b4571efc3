{{ latest_revision(ref('stg_submissions__placements')) }}
