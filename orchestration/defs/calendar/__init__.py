"""Dagster definitions: the submission calendar."""
