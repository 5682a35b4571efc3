"""Partner submission intake: read files as partners send them, validate, receipt, store, load."""
