"""Dagster definitions: reference."""
