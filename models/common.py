"""Building blocks shared by the partner submission contracts.

A contract is a pandera ``DataFrameModel`` whose fields are the English column names used
everywhere downstream. Each field carries, in its metadata, the French column name a partner
writes, a French description and an example: templates and column guides are generated from it,
so the contract stays the one source of truth.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pandera.pandas as pa

from orchestration import vocabulary
from orchestration.calendar import PERIOD_PATTERN, PERIOD_RULE

COMMUNE_CODE_PATTERN = r"^(\d{5}|2[AB]\d{3})$"
EPCI_SIREN_PATTERN = r"^\d{9}$"

# Accepted codes, from sources/vocabulary.yaml (the one home of code lists).
STRUCTURE_TYPES = vocabulary.codes("structure_types")
PUBLICS = vocabulary.codes("publics")
YES_NO = vocabulary.codes("yes_no")


def column(
    fr: str,
    description: str,
    example: str,
    *,
    kind: str,
    required: bool = True,
    rule: str = "",
    at_most: float | None = None,
    at_most_per: str | None = None,
    at_most_why: str = "",
    **checks: Any,
) -> Any:
    """A contract field: pandera checks plus the partner-facing French documentation.

    ``kind`` is how the raw text is read before validation: ``text``, ``count`` (whole number),
    ``decimal`` (decimal comma accepted), ``yes_no`` or ``period``.

    A number column declares its plausible upper bound: ``at_most``, explained in French by
    ``at_most_why`` (what the bound counts, e.g. "places pour une structure"). A value above it
    is refused: it is a typing or unit mistake, not a figure to publish. Alone, the bound is a
    pandera check (``le``). With ``at_most_per``, it is a bound per day, multiplied by the days
    of the row's period (``PER_PERIOD_DAY``) or by another column of the row counting days
    (its name; the period's days when that cell is empty); intake checks it row by row.
    """
    if at_most is not None:
        if not at_most_why:
            raise ValueError(f"{fr}: a plausible bound needs its reason (at_most_why)")
        if at_most_per is None:
            checks["le"] = at_most
    return pa.Field(
        nullable=not required,
        metadata={
            "fr": fr,
            "description": description,
            "example": example,
            "kind": kind,
            "required": required,
            "rule": rule,
            "at_most": at_most,
            "at_most_per": at_most_per,
            "at_most_why": at_most_why,
        },
        **checks,
    )


# ``at_most_per`` value: the bound is per day of the row's period.
PER_PERIOD_DAY = "period_day"
# The most places one row may plausibly count: a structure, or every childminder of a commune.
MAX_PLACES = 10_000


def period_column(example: str) -> Any:
    """The ``periode`` column every kind of submission starts with."""
    return column(
        "periode",
        "Période de la donnée : année (AAAA), trimestre (AAAA-T1 à T4), mois (AAAA-MM ou MM/AAAA).",
        example,
        kind="period",
        str_matches=PERIOD_PATTERN,
        rule=PERIOD_RULE,
    )


@pa.extensions.register_check_method(statistics=[], check_type="vectorized")
def whole_number(series: pd.Series) -> pd.Series:
    """True where the value is a whole number (or missing, which other checks judge)."""
    return series.isna() | (series % 1 == 0)


def columns_of(model: type[pa.DataFrameModel]) -> dict[str, dict[str, Any]]:
    """English column name -> its French metadata, in contract order."""
    schema = model.to_schema()
    return {name: dict(col.metadata or {}) for name, col in schema.columns.items()}


def french_names(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """English column name -> French column name as partners write it."""
    return {name: meta["fr"] for name, meta in columns_of(model).items()}


def normalise_header(text: str) -> str:
    """Fold a header the way partners' spreadsheets vary it: case, accents, spaces, punctuation."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return folded
