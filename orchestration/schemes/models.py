"""The shape of schemes, measures and partners as their YAML files write them (pydantic).

These models check structure and types only. A field whose values form a code list (a partner
type, a cadence, a direction...) is plain text here: the loaders check it against
``sources/vocabulary.yaml`` and say which codes are accepted; cross-references (an indicator's
action, a pilot in the partner registry...) are checked by :mod:`.checks`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, StrictBool, field_validator

FilterName = Literal["structure_types", "publics", "actions"]
FILTER_NAMES: tuple[str, ...] = ("structure_types", "publics", "actions")


# One address, no display name: what a reminder is sent to.
_MAIL_ADDRESS = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _one_or_many(value: Any) -> Any:
    """Let a formula role be written as one term (a mapping) or a list of terms to add up."""
    return [value] if isinstance(value, dict) else value


# --------------------------------------------------------------------------- measures.yaml


class SourceSpec(_Model):
    filters: list[FilterName] = []
    columns: dict[str, Literal["text", "number", "boolean"]]


class Measure(_Model):
    """A yearly quantity read from one intake source, which formulas combine into indicators."""

    code: str
    label: str
    source: str  # a submission kind or a reference source (vocabulary)
    column: str
    aggregation: str  # vocabulary: aggregations
    # Publication rules: small counts of a measure counting people are hidden (secrecy).
    counts_people: StrictBool
    part_of: str | None = None
    filters: list[FilterName] = []
    _accepted_values: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def accepts(self, filter_name: str) -> bool:
        return filter_name in self.filters

    def accepted_values(self, filter_name: str) -> frozenset[str] | None:
        """Values a filter may take, or None when they depend on the scheme (actions)."""
        return self._accepted_values.get(filter_name)


class MeasuresFile(_Model):
    sources: dict[str, SourceSpec]
    measures: list[Measure]


# --------------------------------------------------------------------------- partners.yaml


class Submission(_Model):
    kind: str  # vocabulary: submission_kinds
    cadence: str  # vocabulary: granularities
    deadline_days: int


class Partner(_Model):
    """An institution that signs schemes, pilots actions or sends data."""

    code: str
    name: str
    type: str  # vocabulary: partner_types
    departements: list[str]
    submissions: list[Submission] = []
    # Where reminders of its files' due dates go (orchestration/reminders.py); none without it.
    contact: str | None = None

    @field_validator("contact")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        if value is not None and not _MAIL_ADDRESS.fullmatch(value):
            raise ValueError(f"not an e-mail address: {value!r} (name@domain.tld)")
        return value


class PartnersFile(_Model):
    partners: list[Partner]


# --------------------------------------------------------------------------- schemes/*.yaml


class Term(_Model):
    """One measure, optionally restricted by structure types, publics or actions."""

    measure: str
    structure_types: list[str] | None = None
    publics: list[str] | None = None
    actions: list[str] | None = None

    def filter_values(self, filter_name: str) -> list[str] | None:
        return getattr(self, filter_name)


class Formula(_Model):
    """factor × numerator ÷ denominator, or one of two variants of a count (no denominator).

    ``share_of_territories: epci`` (or ``commune``) turns the numerator into a coverage share:
    at every level, factor × (territories of that level where the numerator is > 0) ÷
    (territories of that level). ``change_since_baseline: true`` turns a count into its change
    since the indicator's baseline year (places created: places in year N − places then).
    """

    numerator: list[Term]
    denominator: list[Term] | None = None
    factor: float = 1.0
    # The engine counts communes or EPCI only (not the other territory levels).
    share_of_territories: Literal["commune", "epci"] | None = None
    change_since_baseline: bool = False

    _wrap = field_validator("numerator", "denominator", mode="before")(_one_or_many)


class Baseline(_Model):
    year: int
    value: float


class TerritoryTarget(_Model):
    territory: str
    year: int
    value: float


class Indicator(_Model):
    code: str
    label: str
    action: str
    unit: str
    direction: str  # vocabulary: directions
    formula: Formula
    baseline: Baseline
    targets: dict[int, float]
    territory_targets: list[TerritoryTarget] = []
    weight: float = 1.0
    method: str = "linear"  # vocabulary: trajectory_methods
    # A natural limit in the desired direction (a rate cannot exceed 100 %): it scales the
    # thresholds of the Open SDG grading without a target (orchestration/grading.py).
    limit: float | None = None
    illustrative: bool
    note: str


class PriorityRule(_Model):
    """Which territories are priority: those whose indicator value in ``year`` is below a threshold.

    ``below`` is a number, or ``departement`` for the value of the scheme's whole area (the
    département, or the perimeter of a charte) the same year.
    """

    indicator: str
    level: Literal["commune", "epci"]
    below: float | Literal["departement"]
    year: int


# A milestone is due by a month (its last day) or by a day.
_DUE_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DUE_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def last_day_of_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


class Milestone(_Model):
    """A dated step of an action (« jalon »): due by a month (``AAAA-MM``) or a day."""

    code: str
    label: str
    due: str
    illustrative: bool = False

    @field_validator("due", mode="before")
    @classmethod
    def _unquoted_day(cls, value: Any) -> Any:
        # YAML reads an unquoted 2019-06-30 as a date: take it as the day it is.
        return value.isoformat() if isinstance(value, date) else value

    @property
    def due_precision(self) -> Literal["month", "day"] | None:
        """'month' or 'day' as ``due`` is written, None when it is neither form."""
        if _DUE_MONTH.match(self.due):
            return "month"
        return "day" if _DUE_DAY.match(self.due) else None

    @property
    def due_date(self) -> date | None:
        """The day the milestone is due (the last day of a month), None if ``due`` is no date."""
        try:
            if (m := _DUE_MONTH.match(self.due)) and 1 <= int(m[2]) <= 12:
                return last_day_of_month(int(m[1]), int(m[2]))
            if _DUE_DAY.match(self.due):
                return date.fromisoformat(self.due)
        except ValueError:
            return None
        return None


class Action(_Model):
    code: str
    title: str
    pilot: str
    partners: list[str] = []
    jalons: list[Milestone] = []

    @property
    def milestones(self) -> list[Milestone]:
        return self.jalons

    @property
    def reporters(self) -> tuple[str, ...]:
        """Who may report on the action: its pilot, then its partners."""
        return (self.pilot, *self.partners)


class Axis(_Model):
    code: str
    title: str
    transversal: bool = False
    actions: list[Action]


class Period(_Model):
    start: int
    end: int
    start_month: int | None = None
    end_month: int | None = None

    @property
    def months(self) -> int:
        """Length of the period in months, both ends included."""
        return (self.end - self.start) * 12 + (self.end_month or 12) - (self.start_month or 1) + 1

    @property
    def first_day(self) -> date:
        return date(self.start, self.start_month or 1, 1)

    @property
    def last_day(self) -> date:
        return last_day_of_month(self.end, self.end_month or 12)


class SchemeSources(_Model):
    documents: list[str]
    note: str


class Scheme(_Model):
    """A family-services plan: axes of actions, and indicators with baselines and targets."""

    id: str
    kind: str  # vocabulary: scheme_kinds
    title: str
    departement: str
    period: Period
    perimeter: list[str] = []
    signatories: list[str]
    sources: SchemeSources
    axes: list[Axis]
    indicators: list[Indicator] = []
    priority_territories: PriorityRule | None = None

    @property
    def actions(self) -> list[Action]:
        return [action for axis in self.axes for action in axis.actions]

    @property
    def action_codes(self) -> set[str]:
        return {action.code for action in self.actions}

    @property
    def source_note(self) -> str:
        documents = " ; ".join(self.sources.documents)
        return f"{self.sources.note} (sources : {documents})" if documents else self.sources.note
