"""Dagster definitions: the lock at intake (held files)."""
