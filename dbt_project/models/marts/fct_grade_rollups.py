"""Scores of the scheme's whole area rolled up as the Open SDG method does for several series:
an action's score is the mean of its indicators' scores, an axis's the mean of its actions',
a scheme's the mean of its axes'; the status is the band of the mean score, « cible atteinte »
only when every indicator below has met its target (orchestration.grading). Published through
fct_grading_rollups.
"""

import pandas as pd

from orchestration.grading import mean_score, status_of_score

AREA_LEVELS = ("departement", "perimetre")


def model(dbt, session):
    dbt.config(materialized="table")
    grades = dbt.ref("fct_indicator_grades").df()
    indicators = dbt.ref("dim_indicators").df()[["scheme_id", "indicator_code", "action_code"]]
    actions = dbt.ref("dim_actions").df()[["scheme_id", "action_code", "axis_code"]]
    area = grades[grades["territory_level"].isin(AREA_LEVELS)]
    area = area.merge(indicators, on=["scheme_id", "indicator_code"]).merge(
        actions, on=["scheme_id", "action_code"]
    )

    rows = []

    def roll(level, code, scheme_id, groups):
        # groups: (score, every indicator achieved, indicators graded) of each member
        scores = [s for s, _, _ in groups]
        score = mean_score(scores)
        graded = sum(n for _, _, n in groups)
        achieved = bool(groups) and all(a for _, a, _ in groups) and score is not None
        rows.append(
            {
                "scheme_id": scheme_id,
                "rollup_level": level,
                "rollup_code": code,
                "members": len(groups),
                "indicators_graded": graded,
                "score": score,
                "grading_status": status_of_score(score, all_achieved=achieved),
            }
        )
        return score, achieved, graded

    for scheme_id, scheme in area.groupby("scheme_id"):
        axes = []
        for axis_code, axis in scheme.groupby("axis_code"):
            members = []
            for action_code, action in axis.groupby("action_code"):
                indicators_of = [
                    (None if s != s else s, st == "target_achieved", int(s == s))
                    for s, st in zip(action["score"], action["grading_status"], strict=True)
                ]
                members.append(roll("action", action_code, scheme_id, indicators_of))
            axes.append(roll("axis", axis_code, scheme_id, members))
        roll("scheme", scheme_id, scheme_id, axes)

    frame = pd.DataFrame(
        rows,
        columns=[
            "scheme_id",
            "rollup_level",
            "rollup_code",
            "members",
            "indicators_graded",
            "score",
            "grading_status",
        ],
    )
    return frame.astype({"score": "float64", "members": "int64", "indicators_graded": "int64"})
