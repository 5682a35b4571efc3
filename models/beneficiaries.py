"""Contract of the *beneficiaries* submission: people reached by an action of the scheme."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing.pandas import Series

from models.common import PUBLICS, column, period_column

# People one row may count: more than live in the most populous territory (Grand Paris, 7 M).
MAX_PEOPLE = 10_000_000
_PEOPLE_WHY = "personnes (ou familles) pour une action et un territoire"


class BeneficiariesSubmission(pa.DataFrameModel):
    """One row per action, territory, public and period."""

    period: Series[str] = period_column("2017")
    action_code: Series[str] = column(
        "code_action",
        "Code de l'action du schéma à laquelle se rattachent les bénéficiaires.",
        "LAN-3.2",
        kind="text",
        rule="une action du schéma",
    )
    territory_code: Series[str] = column(
        "code_territoire",
        "Code INSEE de la commune (5 caractères) ou SIREN de l'EPCI (9 chiffres).",
        "200069409",
        kind="text",
        str_matches=r"^(\d{5}|2[AB]\d{3}|\d{9})$",
        rule="code commune (5 caractères) ou SIREN d'EPCI (9 chiffres)",
    )
    public: Series[str] = column(
        "public",
        "Public touché.",
        "FAMILLES",
        kind="text",
        isin=list(PUBLICS),
        rule="une des valeurs : " + ", ".join(PUBLICS),
    )
    count: Series[float] = column(
        "nombre",
        "Nombre de personnes (ou de familles) touchées sur la période.",
        "42",
        kind="count",
        ge=0,
        whole_number=(),
        at_most=MAX_PEOPLE,
        at_most_why=_PEOPLE_WHY,
    )
    low_income_count: Series[float] = column(
        "dont_familles_modestes",
        "Dont familles aux revenus modestes.",
        "12",
        kind="count",
        required=False,
        ge=0,
        whole_number=(),
        rule="ne dépasse pas nombre",
        at_most=MAX_PEOPLE,
        at_most_why=_PEOPLE_WHY,
    )

    @pa.dataframe_check(name="within_total:low_income_count:count")
    @classmethod
    def low_income_within_count(cls, df):
        return ~(df["low_income_count"] > df["count"])

    class Config:
        name = "beneficiaries"
        metadata = {
            "fr": "Une ligne par action, territoire, public et période : "
            "personnes ou familles touchées."
        }
        unique = ["period", "action_code", "territory_code", "public"]
