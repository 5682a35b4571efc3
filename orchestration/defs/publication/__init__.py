"""Dagster definitions: publication."""
