"""Dagster definitions, one folder per domain, one file per Dagster concept."""
