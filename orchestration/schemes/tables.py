"""The schemes and registries as warehouse tables, each column declared once with its value.

A :class:`Table` is its primary key, the rows it holds (one item per row, drawn from the schemes
and registries) and its columns; a :class:`Column` is a name, a DuckDB type and where the value
comes from: a dotted attribute path of the row item (``"indicator.baseline.year"``) or a
function of it. Rows are written by column name, so a new attribute is one ``Column`` here plus
its description in the dbt staging YAML (dbt_project/models/staging/_staging.yml).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from types import SimpleNamespace as Row
from typing import Any

import pandas as pd

from orchestration.schemes.codes import territory_level
from orchestration.schemes.method_text import filter_labels, formula_text, source_text
from orchestration.schemes.models import Measure, Partner, Scheme

_PANDAS_DTYPES = {
    "VARCHAR": "string",
    "INTEGER": "Int32",
    "DOUBLE": "float64",
    "BOOLEAN": "bool",
    "VARCHAR[]": "object",
    "DATE": "object",  # datetime.date values (or None): DuckDB stores them as DATE
}


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        return attrgetter(self.value)(row) if isinstance(self.value, str) else self.value(row)


@dataclass(frozen=True)
class Inputs:
    """What rows are drawn from."""

    schemes: Sequence[Scheme]
    measures: dict[str, Measure]
    partners: dict[str, Partner]
    labels: dict[str, dict[str, str]]  # filter values' labels, for the formula texts


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]  # unique across rows (territory_code may be null = scheme-wide)
    rows: Callable[[Inputs], Iterable[Any]]
    columns: tuple[Column, ...]

    def frame(self, inputs: Inputs) -> pd.DataFrame:
        records = [[column.read(row) for column in self.columns] for row in self.rows(inputs)]
        frame = pd.DataFrame.from_records(records, columns=[c.name for c in self.columns])
        return frame.astype({c.name: _PANDAS_DTYPES[c.sql_type] for c in self.columns})


# --------------------------------------------------------------------------- rows


def _schemes(i: Inputs) -> Iterator[Row]:
    return (Row(scheme=s) for s in i.schemes)


def _perimeter(i: Inputs) -> Iterator[Row]:
    return (Row(scheme=s, territory=code) for s in i.schemes for code in s.perimeter)


def _signatories(i: Inputs) -> Iterator[Row]:
    return (Row(scheme=s, partner=code) for s in i.schemes for code in s.signatories)


def _axes(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        for position, axis in enumerate(s.axes, start=1):
            yield Row(scheme=s, axis=axis, position=position)


def _actions(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        for axis in s.axes:
            for position, action in enumerate(axis.actions, start=1):
                yield Row(scheme=s, axis=axis, action=action, position=position)


def _action_partners(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        for action in s.actions:
            yield from (Row(scheme=s, action=action, partner=code) for code in action.partners)


def _milestones(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        for axis in s.axes:
            for action in axis.actions:
                for position, milestone in enumerate(action.milestones, start=1):
                    yield Row(
                        scheme=s, axis=axis, action=action, milestone=milestone, position=position
                    )


def _indicators(i: Inputs) -> Iterator[Row]:
    return (Row(scheme=s, indicator=ind, inputs=i) for s in i.schemes for ind in s.indicators)


def _terms(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        for ind in s.indicators:
            for role in ("numerator", "denominator"):
                for term in getattr(ind.formula, role) or []:
                    yield Row(scheme=s, indicator=ind, role=role, term=term)


def _targets(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        for ind in s.indicators:
            for year, value in sorted(ind.targets.items()):
                yield Row(scheme=s, indicator=ind, territory=None, year=year, value=value)
            for t in ind.territory_targets:
                yield Row(
                    scheme=s, indicator=ind, territory=t.territory, year=t.year, value=t.value
                )


def _priority_rules(i: Inputs) -> Iterator[Row]:
    for s in i.schemes:
        if rule := s.priority_territories:
            yield Row(scheme=s, rule=rule, by_area=rule.below == "departement")


def _measures(i: Inputs) -> Iterator[Row]:
    return (Row(measure=m) for m in i.measures.values())


def _partners(i: Inputs) -> Iterator[Row]:
    return (Row(partner=p) for p in i.partners.values())


def _partner_departements(i: Inputs) -> Iterator[Row]:
    return (Row(partner=p, departement=d) for p in i.partners.values() for d in p.departements)


def _partner_submissions(i: Inputs) -> Iterator[Row]:
    return (Row(partner=p, submission=s) for p in i.partners.values() for s in p.submissions)


def _formula_text(r: Row) -> str:
    ind = r.indicator
    return formula_text(
        ind.formula, r.inputs.measures, r.inputs.labels, baseline_year=ind.baseline.year
    )


def _source_text(r: Row) -> str:
    return source_text(
        r.indicator.formula, r.inputs.measures, r.inputs.partners, r.scheme.departement
    )


# --------------------------------------------------------------------------- tables

_SCHEME_ID = Column("scheme_id", "VARCHAR", "scheme.id")
_INDICATOR_CODE = Column("indicator_code", "VARCHAR", "indicator.code")
_PARTNER_CODE = Column("partner_code", "VARCHAR", "partner.code")

TABLES: tuple[Table, ...] = (
    Table(
        "schemes",
        ("scheme_id",),
        _schemes,
        (
            _SCHEME_ID,
            Column("kind", "VARCHAR", "scheme.kind"),
            Column("title", "VARCHAR", "scheme.title"),
            Column("departement_code", "VARCHAR", "scheme.departement"),
            Column("start_year", "INTEGER", "scheme.period.start"),
            Column("end_year", "INTEGER", "scheme.period.end"),
            Column("start_month", "INTEGER", "scheme.period.start_month"),
            Column("end_month", "INTEGER", "scheme.period.end_month"),
            Column("source_note", "VARCHAR", "scheme.source_note"),
        ),
    ),
    Table(
        "scheme_perimeter",
        ("scheme_id", "territory_code"),
        _perimeter,
        (
            _SCHEME_ID,
            Column("territory_code", "VARCHAR", "territory"),
            Column("territory_level", "VARCHAR", lambda r: territory_level(r.territory)),
        ),
    ),
    Table(
        "scheme_signatories",
        ("scheme_id", "partner_code"),
        _signatories,
        (_SCHEME_ID, Column("partner_code", "VARCHAR", "partner")),
    ),
    Table(
        "axes",
        ("scheme_id", "axis_code"),
        _axes,
        (
            _SCHEME_ID,
            Column("axis_code", "VARCHAR", "axis.code"),
            Column("title", "VARCHAR", "axis.title"),
            Column("transversal", "BOOLEAN", "axis.transversal"),
            Column("position", "INTEGER", "position"),
        ),
    ),
    Table(
        "actions",
        ("scheme_id", "action_code"),
        _actions,
        (
            _SCHEME_ID,
            Column("action_code", "VARCHAR", "action.code"),
            Column("axis_code", "VARCHAR", "axis.code"),
            Column("title", "VARCHAR", "action.title"),
            Column("pilot_partner", "VARCHAR", "action.pilot"),
            Column("position", "INTEGER", "position"),
        ),
    ),
    Table(
        "action_partners",
        ("scheme_id", "action_code", "partner_code"),
        _action_partners,
        (
            _SCHEME_ID,
            Column("action_code", "VARCHAR", "action.code"),
            Column("partner_code", "VARCHAR", "partner"),
        ),
    ),
    Table(
        "action_milestones",
        ("scheme_id", "milestone_code"),
        _milestones,
        (
            _SCHEME_ID,
            Column("axis_code", "VARCHAR", "axis.code"),
            Column("action_code", "VARCHAR", "action.code"),
            Column("milestone_code", "VARCHAR", "milestone.code"),
            Column("label", "VARCHAR", "milestone.label"),
            Column("due_date", "DATE", "milestone.due_date"),
            Column("due_precision", "VARCHAR", "milestone.due_precision"),
            Column("position", "INTEGER", "position"),
            Column("illustrative", "BOOLEAN", "milestone.illustrative"),
        ),
    ),
    Table(
        "indicators",
        ("scheme_id", "indicator_code"),
        _indicators,
        (
            _SCHEME_ID,
            _INDICATOR_CODE,
            Column("label", "VARCHAR", "indicator.label"),
            Column("action_code", "VARCHAR", "indicator.action"),
            Column("unit", "VARCHAR", "indicator.unit"),
            Column("direction", "VARCHAR", "indicator.direction"),
            Column("factor", "DOUBLE", "indicator.formula.factor"),
            Column("has_denominator", "BOOLEAN", lambda r: bool(r.indicator.formula.denominator)),
            Column("share_level", "VARCHAR", "indicator.formula.share_of_territories"),
            Column("change_since_baseline", "BOOLEAN", "indicator.formula.change_since_baseline"),
            Column("baseline_year", "INTEGER", "indicator.baseline.year"),
            Column("baseline_value", "DOUBLE", "indicator.baseline.value"),
            Column("weight", "DOUBLE", "indicator.weight"),
            Column("method", "VARCHAR", "indicator.method"),
            Column("natural_limit", "DOUBLE", "indicator.limit"),
            Column("illustrative", "BOOLEAN", "indicator.illustrative"),
            Column("note", "VARCHAR", "indicator.note"),
            Column("formula_text", "VARCHAR", _formula_text),
            Column("source_text", "VARCHAR", _source_text),
        ),
    ),
    Table(
        "priority_rules",
        ("scheme_id",),
        _priority_rules,
        (
            _SCHEME_ID,
            Column("indicator_code", "VARCHAR", "rule.indicator"),
            Column("territory_level", "VARCHAR", "rule.level"),
            Column("threshold", "DOUBLE", lambda r: None if r.by_area else float(r.rule.below)),
            Column(
                "threshold_reference",
                "VARCHAR",
                lambda r: "departement" if r.by_area else "valeur",
            ),
            Column("year", "INTEGER", "rule.year"),
        ),
    ),
    Table(
        "indicator_terms",
        ("scheme_id", "indicator_code", "role", "measure_code"),
        _terms,
        (
            _SCHEME_ID,
            _INDICATOR_CODE,
            Column("role", "VARCHAR", "role"),
            Column("measure_code", "VARCHAR", "term.measure"),
            Column("structure_types", "VARCHAR[]", "term.structure_types"),
            Column("publics", "VARCHAR[]", "term.publics"),
            Column("actions", "VARCHAR[]", "term.actions"),
        ),
    ),
    Table(
        "indicator_targets",
        ("scheme_id", "indicator_code", "territory_code", "year"),
        _targets,
        (
            _SCHEME_ID,
            _INDICATOR_CODE,
            Column("territory_code", "VARCHAR", "territory"),
            Column("year", "INTEGER", "year"),
            Column("value", "DOUBLE", "value"),
        ),
    ),
    Table(
        "measures",
        ("measure_code",),
        _measures,
        (
            Column("measure_code", "VARCHAR", "measure.code"),
            Column("label", "VARCHAR", "measure.label"),
            Column("source", "VARCHAR", "measure.source"),
            Column("source_column", "VARCHAR", "measure.column"),
            Column("aggregation", "VARCHAR", "measure.aggregation"),
            Column("counts_people", "BOOLEAN", "measure.counts_people"),
            Column("part_of", "VARCHAR", "measure.part_of"),
        ),
    ),
    Table(
        "partners",
        ("partner_code",),
        _partners,
        (
            _PARTNER_CODE,
            Column("name", "VARCHAR", "partner.name"),
            Column("type", "VARCHAR", "partner.type"),
        ),
    ),
    Table(
        "partner_departements",
        ("partner_code", "departement_code"),
        _partner_departements,
        (_PARTNER_CODE, Column("departement_code", "VARCHAR", "departement")),
    ),
    Table(
        "partner_submissions",
        ("partner_code", "kind"),
        _partner_submissions,
        (
            _PARTNER_CODE,
            Column("kind", "VARCHAR", "submission.kind"),
            Column("cadence", "VARCHAR", "submission.cadence"),
            Column("deadline_days", "INTEGER", "submission.deadline_days"),
        ),
    ),
)

# Column -> DuckDB type of every table, in order; and each table's primary key.
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    t.name: {c.name: c.sql_type for c in t.columns} for t in TABLES
}
TABLE_KEYS: dict[str, tuple[str, ...]] = {t.name: t.key for t in TABLES}


def scheme_tables(
    schemes: Sequence[Scheme],
    measures: dict[str, Measure],
    partners: dict[str, Partner],
    *,
    vocabularies: dict[str, dict[str, str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Flatten schemes and registries into the warehouse tables of :data:`TABLES`, by name.

    ``vocabularies`` (by default the vocabulary's labels, :func:`.method_text.filter_labels`)
    names structure types and publics in the indicators' ``formula_text``.
    """
    labels = filter_labels() if vocabularies is None else vocabularies
    inputs = Inputs(schemes, measures, partners, labels)
    return {table.name: table.frame(inputs) for table in TABLES}


def write_scheme_tables(connection, tables: dict[str, pd.DataFrame], schema: str = "main"):
    """(Re)create the tables in a DuckDB connection with the declared column types."""
    for table, frame in tables.items():
        columns = TABLE_COLUMNS[table]
        ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        connection.execute(f'create or replace table "{schema}"."{table}" ({ddl})')
        connection.register("_scheme_rows", frame)
        try:
            connection.execute(
                f'insert into "{schema}"."{table}" by name select * from _scheme_rows'
            )
        finally:
            connection.unregister("_scheme_rows")
