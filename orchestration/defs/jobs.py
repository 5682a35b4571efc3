"""Jobs: what a run materializes."""

import dagster as dg

# Every step of a run executes in one process, in order (see the executor in definitions.py):
# DuckDB allows one writer per file.
refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    description="Refresh everything: references, partner submissions, dbt models, publication.",
)

# Everything but intake: what schedules run (files are processed as they arrive, by the sensor).
models_job = dg.define_asset_job(
    "refresh_models",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("intake"),
    description="Refresh references, dbt models and the publication, leaving partner files alone.",
)
