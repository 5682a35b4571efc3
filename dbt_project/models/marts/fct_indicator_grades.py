"""The Open SDG grading of every indicator and territory with a baseline, by the code `sdsf
grade` uses (orchestration.grading): a Python model so the marts and the CLI cannot differ.

The latest year with a value is graded against the baseline and, where the territory has a
trajectory, its final target. Published through fct_indicator_grading (a SQL model: dbt
enforces contracts on SQL models only).
"""

import pandas as pd

from orchestration.grading import grade


def model(dbt, session):
    dbt.config(materialized="table")
    values = dbt.ref("fct_indicator_values").df()
    trajectories = dbt.ref("int_indicator_trajectories").df()
    indicators = dbt.ref("dim_indicators").df()

    keys = ["scheme_id", "indicator_code", "territory_level", "territory_code"]
    yearly = values[(values["period_type"] == "year") & values["baseline_value"].notna()]
    observed = yearly[yearly["value"].notna()].sort_values("year")
    latest = (
        observed.groupby(keys, as_index=False)
        .last()[[*keys, "year", "value", "status"]]
        .rename(
            columns={"year": "latest_year", "value": "latest_value", "status": "trajectory_status"}
        )
    )
    series = yearly.groupby(keys, as_index=False)[["baseline_year", "baseline_value"]].first()
    finals = trajectories.groupby(keys, as_index=False)[
        ["final_target_year", "final_target_value"]
    ].first()
    frame = (
        series.merge(latest, on=keys, how="left")
        .merge(finals, on=keys, how="left")
        .merge(
            indicators[["scheme_id", "indicator_code", "direction", "natural_limit"]],
            on=["scheme_id", "indicator_code"],
        )
    )

    def present(x):
        return None if pd.isna(x) else x

    grades = [
        grade(
            int(r.baseline_year),
            float(r.baseline_value),
            None if pd.isna(r.latest_year) else int(r.latest_year),
            present(r.latest_value),
            direction=r.direction,
            target_year=None if pd.isna(r.final_target_year) else int(r.final_target_year),
            target=present(r.final_target_value),
            limit=present(r.natural_limit),
        )
        for r in frame.itertuples()
    ]
    frame["progress_value"] = [g.progress_value for g in grades]
    frame["score"] = [g.score for g in grades]
    frame["grading_status"] = [g.status for g in grades]
    return frame.astype({"progress_value": "float64", "score": "float64"})
