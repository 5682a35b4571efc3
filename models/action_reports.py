"""Contract of the *action_reports* submission: a pilot's report on the actions it follows.

One row per period, action and milestone reached. A row without ``code_jalon`` reports the
state only; two milestones of one action reached in the period are two rows, the state
repeated. Rules that need the schemes (the action exists and the sender may report on it, the
milestone is one of the action's, its date lies after the scheme's start) or look across rows
(state and share agree on every row of an action and period, one comment) are checked at intake
by ``orchestration/intake/action_reports.py``.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing.pandas import Series

from models.common import ACTION_STATES, column, date_column, period_column

COMMENT_MAX_CHARS = 1000


class ActionReportsSubmission(pa.DataFrameModel):
    """One row per period, action and milestone reached (or the action's state alone)."""

    period: Series[str] = period_column("2019")
    action_code: Series[str] = column(
        "code_action",
        "Code de l'action du schéma dont vous rendez compte : une action que votre organisme "
        "pilote ou dont il est partenaire.",
        "MSA-1.1",
        kind="text",
        rule="une action du schéma que votre organisme pilote ou dont il est partenaire",
    )
    state: Series[str] = column(
        "etat",
        "État d'avancement de l'action à la fin de la période (le même sur chaque ligne de "
        "l'action).",
        "EN_COURS",
        kind="text",
        isin=list(ACTION_STATES),
        rule="une des valeurs : " + ", ".join(ACTION_STATES),
    )
    share_done: Series[float] = column(
        "part_realisee",
        "Part de l'action déjà réalisée, en pourcentage (facultatif ; la même sur chaque ligne "
        "de l'action).",
        "40",
        kind="decimal",
        required=False,
        in_range={"min_value": 0, "max_value": 100},
        rule="de 0 à 100",
        failures={
            "in_range": (
                "share_out_of_range",
                "La part réalisée est un pourcentage : un nombre de 0 à 100.",
            )
        },
    )
    milestone_code: Series[str] = column(
        "code_jalon",
        "Code d'un jalon de l'action atteint pendant la période (une ligne par jalon atteint) ; "
        "vide pour ne donner que l'état de l'action.",
        "MSA-1.1-J2",
        kind="text",
        required=False,
        rule="un jalon de l'action (schéma) ; avec date_jalon",
    )
    milestone_date: Series[str] = date_column(
        "date_jalon",
        "Date à laquelle le jalon a été atteint (obligatoire avec code_jalon) : pas avant le "
        "début du schéma, pas après la fin de la période.",
        "15/01/2019",
        required=False,
    )
    comment: Series[str] = column(
        "commentaire",
        "Commentaire libre en français sur l'avancement de l'action (facultatif, une fois par "
        "action et par période). Il est publié tel quel sur le site d'évaluation : n'y écrivez "
        "aucune donnée personnelle.",
        "Questionnaire diffusé à toutes les familles du territoire",
        kind="text",
        required=False,
        str_length={"max_value": COMMENT_MAX_CHARS},
        no_markup=(),
        rule="texte brut d'au plus 1 000 caractères, sans balise (<…>) ni formule",
        failures={
            "str_length": (
                "comment_too_long",
                "Commentaire trop long : au plus 1 000 caractères. Raccourcissez-le.",
            ),
            "no_markup": (
                "markup_in_text",
                "Le commentaire contient une balise (<…>) : il est publié comme texte brut. "
                "Retirez la balise et écrivez le texte seul.",
            ),
        },
    )

    class Config:
        name = "action_reports"
        metadata = {
            "fr": "Une ligne par période, action et jalon atteint : l'état d'avancement de "
            "l'action (répété sur chaque ligne de l'action), sa part réalisée, le jalon atteint "
            "et sa date, et un commentaire publié tel quel sur le site d'évaluation. Une ligne "
            "sans jalon ne donne que l'état de l'action."
        }
        unique = ["period", "action_code", "milestone_code"]
