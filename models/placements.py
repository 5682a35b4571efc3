"""Contract of the *placements* submission: childcare places and children placed."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing.pandas import Series

from models.common import (
    COMMUNE_CODE_PATTERN,
    MAX_PLACES,
    STRUCTURE_TYPES,
    YES_NO,
    column,
    period_column,
)

# Children counted on one row: several children share a place (part time), never this many.
MAX_CHILDREN = 5 * MAX_PLACES


class PlacementsSubmission(pa.DataFrameModel):
    """One row per structure (or per commune for individual childminders) and period."""

    period: Series[str] = period_column("2017")
    structure_code: Series[str] = column(
        "code_structure",
        "Identifiant de la structure chez le partenaire (pour les assistants maternels : "
        "un code par commune).",
        "EAJE-40192-01",
        kind="text",
    )
    structure_type: Series[str] = column(
        "type_structure",
        "Type de structure ou de mode d'accueil.",
        "EAJE_COLLECTIF",
        kind="text",
        isin=list(STRUCTURE_TYPES),
        rule="une des valeurs : " + ", ".join(STRUCTURE_TYPES),
    )
    commune_code: Series[str] = column(
        "code_commune",
        "Code officiel géographique (INSEE) de la commune d'implantation, 5 caractères.",
        "40192",
        kind="text",
        str_matches=COMMUNE_CODE_PATTERN,
        rule="5 caractères (ex. 40192, 2A004) ; un code à 4 chiffres est complété par un 0",
    )
    places: Series[float] = column(
        "places",
        "Capacité d'accueil (places agréées ou offertes) à la fin de la période.",
        "24",
        kind="count",
        ge=0,
        whole_number=(),
        at_most=MAX_PLACES,
        at_most_why="places pour une structure (ou pour les assistants maternels d'une commune)",
    )
    children_enrolled: Series[float] = column(
        "enfants_accueillis",
        "Nombre d'enfants différents accueillis sur la période.",
        "31",
        kind="count",
        ge=0,
        whole_number=(),
        at_most=MAX_CHILDREN,
        at_most_why="enfants pour une structure (ou pour une commune)",
    )
    children_disabled: Series[float] = column(
        "dont_enfants_handicap",
        "Dont enfants en situation de handicap (bénéficiaires de l'AEEH).",
        "1",
        kind="count",
        required=False,
        ge=0,
        whole_number=(),
        rule="ne dépasse pas enfants_accueillis",
        at_most=MAX_CHILDREN,
        at_most_why="enfants pour une structure (ou pour une commune)",
    )
    children_low_income: Series[float] = column(
        "dont_familles_modestes",
        "Dont enfants de familles aux revenus modestes.",
        "7",
        kind="count",
        required=False,
        ge=0,
        whole_number=(),
        rule="ne dépasse pas enfants_accueillis",
        at_most=MAX_CHILDREN,
        at_most_why="enfants pour une structure (ou pour une commune)",
    )
    atypical_hours: Series[str] = column(
        "horaires_atypiques",
        "La structure propose-t-elle un accueil en horaires atypiques (tôt, tard, week-end) ?",
        "non",
        kind="yes_no",
        required=False,
        isin=list(YES_NO),
        rule="oui ou non",
    )

    # Check names carry "within_total:<part>:<total>" so receipts can name the offending column.
    @pa.dataframe_check(name="within_total:children_disabled:children_enrolled")
    @classmethod
    def disabled_within_enrolled(cls, df):
        return ~(df["children_disabled"] > df["children_enrolled"])

    @pa.dataframe_check(name="within_total:children_low_income:children_enrolled")
    @classmethod
    def low_income_within_enrolled(cls, df):
        return ~(df["children_low_income"] > df["children_enrolled"])

    class Config:
        name = "placements"
        metadata = {
            "fr": "Une ligne par structure (ou par commune pour les assistants maternels) "
            "et par période : places et enfants accueillis."
        }
        unique = ["period", "structure_code"]
