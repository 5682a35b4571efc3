"""Dagster definitions: intake."""
