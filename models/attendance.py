"""Contract of the *attendance* submission: hours of childcare per structure and period."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing.pandas import Series

from models.common import MAX_PLACES, PER_PERIOD_DAY, column, period_column

# Hours one row may count per day: every plausible place of a structure open round the clock.
MAX_HOURS_PER_DAY = MAX_PLACES * 24
_PLACES_SHOWN = f"{MAX_PLACES:,}".replace(",", "\u202f")
_HOURS_WHY = (
    f"heures par jour d'ouverture ({_PLACES_SHOWN} places × 24 h ; sans jours d'ouverture, "
    "par jour de la période)"
)


class AttendanceSubmission(pa.DataFrameModel):
    """One row per structure and period."""

    period: Series[str] = period_column("2017-T1")
    structure_code: Series[str] = column(
        "code_structure",
        "Identifiant de la structure, le même que dans le fichier des places.",
        "EAJE-40192-01",
        kind="text",
    )
    theoretical_hours: Series[float] = column(
        "heures_theoriques",
        "Capacité théorique en heures (places × heures d'ouverture) sur la période.",
        "14520",
        kind="decimal",
        ge=0,
        at_most=MAX_HOURS_PER_DAY,
        at_most_per="opening_days",
        at_most_why=_HOURS_WHY,
    )
    attended_hours: Series[float] = column(
        "heures_realisees",
        "Heures de présence réellement réalisées par les enfants.",
        "10890,5",
        kind="decimal",
        ge=0,
        at_most=MAX_HOURS_PER_DAY,
        at_most_per="opening_days",
        at_most_why=_HOURS_WHY,
    )
    billed_hours: Series[float] = column(
        "heures_facturees",
        "Heures facturées aux familles.",
        "11760",
        kind="decimal",
        ge=0,
        at_most=MAX_HOURS_PER_DAY,
        at_most_per="opening_days",
        at_most_why=_HOURS_WHY,
    )
    opening_days: Series[float] = column(
        "jours_ouverture",
        "Nombre de jours d'ouverture sur la période.",
        "55",
        kind="count",
        required=False,
        ge=0,
        whole_number=(),
        at_most=1,
        at_most_per=PER_PERIOD_DAY,
        at_most_why="jour d'ouverture par jour de la période",
    )

    class Config:
        name = "attendance"
        metadata = {
            "fr": "Une ligne par structure et par période : "
            "heures théoriques, réalisées et facturées."
        }
        unique = ["period", "structure_code"]
