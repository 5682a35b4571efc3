"""Schemes (SDSF, MSA chartes), measures and partners as data: models and validating loaders.

The YAML files under ``sources/`` are the only place where a scheme, a partner or a measure is
defined. This module reads them into pydantic models, checks every cross-reference (an
indicator's action, a pilot in the partner registry, a measure and the filters it accepts...)
and flattens them into relational tables for the warehouse (:func:`scheme_tables`), with each
indicator's formula and sources written out in French for the evaluation's method page.

Every problem is reported as ``<file>:<line>: <path in the document>: <what is wrong>``, for
example ``sources/schemes/landes-2016-2018.yaml:48: axes[2].actions[0].pilot: unknown partner
'CAF99'``. Loaders collect all the problems of a file (and :func:`load_schemes` of all files)
before raising one :class:`SchemeError`.

Top-level keys starting with ``x-`` are ignored: they hold YAML anchors shared by several
formulas (as in docker-compose extension fields).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCES_DIR = REPO_ROOT / "sources"
DEFAULT_MEASURES_PATH = SOURCES_DIR / "measures.yaml"
DEFAULT_PARTNERS_PATH = SOURCES_DIR / "partners.yaml"
DEFAULT_SCHEMES_DIR = SOURCES_DIR / "schemes"

SourceName = Literal["placements", "attendance", "beneficiaries", "population"]
# The sources partners send; population comes from a reference file.
SubmissionKind = Literal["placements", "attendance", "beneficiaries"]
FilterName = Literal["structure_types", "publics", "actions"]
FILTER_NAMES: tuple[str, ...] = ("structure_types", "publics", "actions")

# COG département codes: 01-19, 21-95 (no 20 since Corsica split), 2A, 2B, 971-976.
_DEPARTEMENT_RE = re.compile(r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-6])$")
_COMMUNE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_EPCI_RE = re.compile(r"^\d{9}$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CODE_RE = re.compile(r"^[A-Z0-9]+([-._][A-Z0-9]+)*$")
_PARTNER_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_MEASURE_RE = re.compile(r"^[a-z][a-z0-9_]*$")

Loc = tuple[str | int, ...]


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Issue:
    """One problem in one file: where it is and what is wrong."""

    file: Path
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SchemeError(Exception):
    """Raised when a scheme, measures or partners file is invalid; lists every problem found."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        if len(self.issues) == 1:
            text = str(self.issues[0])
        else:
            text = f"{len(self.issues)} problems found:\n" + "\n".join(
                f"  - {issue}" for issue in self.issues
            )
        super().__init__(text)


# --------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _one_or_many(value: Any) -> Any:
    """Let a formula role be written as one term (a mapping) or a list of terms to add up."""
    return [value] if isinstance(value, dict) else value


class CodeLabel(_Model):
    code: str
    label: str


class Vocabularies(_Model):
    structure_types: list[CodeLabel]
    publics: list[CodeLabel]


class SourceSpec(_Model):
    filters: list[FilterName] = []
    columns: dict[str, Literal["text", "number", "boolean"]]


class Measure(_Model):
    """A yearly quantity read from one intake source, which formulas combine into indicators."""

    code: str
    label: str
    source: SourceName
    column: str
    aggregation: Literal["stock", "flow"]
    filters: list[FilterName] = []
    _accepted_values: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def accepts(self, filter_name: str) -> bool:
        return filter_name in self.filters

    def accepted_values(self, filter_name: str) -> frozenset[str] | None:
        """Values a filter may take, or None when they depend on the scheme (actions)."""
        return self._accepted_values.get(filter_name)


class MeasuresFile(_Model):
    vocabularies: Vocabularies
    sources: dict[SourceName, SourceSpec]
    measures: list[Measure]


class Submission(_Model):
    kind: SubmissionKind
    cadence: Literal["year", "quarter", "month"]
    deadline_days: int


class Partner(_Model):
    """An institution that signs schemes, pilots actions or sends data."""

    code: str
    name: str
    type: Literal[
        "caf",
        "msa",
        "conseil_departemental",
        "education_nationale",
        "udaf",
        "etat",
        "association",
        "commune",
        "epci",
    ]
    departements: list[str]
    submissions: list[Submission] = []


class PartnersFile(_Model):
    partners: list[Partner]


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
    direction: Literal["up", "down"]
    formula: Formula
    baseline: Baseline
    targets: dict[int, float]
    territory_targets: list[TerritoryTarget] = []
    weight: float = 1.0
    method: Literal["linear", "cagr"] = "linear"
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


class Action(_Model):
    code: str
    title: str
    pilot: str
    partners: list[str] = []


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


class SchemeSources(_Model):
    documents: list[str]
    note: str


class Scheme(_Model):
    """A family-services plan: axes of actions, and indicators with baselines and targets."""

    id: str
    kind: Literal["sdsf", "charte_msa"]
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


# --------------------------------------------------------------------------- YAML reading


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


@dataclass
class _Document:
    """A parsed YAML file with its node tree, so problems can be located by line."""

    file: Path
    data: Any
    root: yaml.Node | None

    def issue(self, loc: Loc, message: str) -> Issue:
        path, line = _locate(self.data, self.root, loc)
        return Issue(self.file, path, line, message)


def _read_yaml(path: Path) -> tuple[_Document | None, list[Issue]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Issue(path, "", None, "file not found")]
    except UnicodeDecodeError:
        return None, [Issue(path, "", None, "not UTF-8 text")]
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        hint = ""
        if "duplicate key" not in problem:
            hint = " (check the indentation and the quotes on this line and the one before)"
        return None, [Issue(path, "", line, f"YAML syntax error{where}: {problem}{hint}")]
    finally:
        loader.dispose()
    if data is None:
        return None, [Issue(path, "", None, "the file is empty")]
    if not isinstance(data, dict):
        return None, [Issue(path, "", 1, "expected a mapping of fields at the top level")]
    data = {key: value for key, value in data.items() if not str(key).startswith("x-")}
    return _Document(path, data, root), []


def _child_node(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _locate(data: Any, root: yaml.Node | None, loc: Loc) -> tuple[str, int | None]:
    """Turn a location (keys and indexes) into a readable path and the line it points to."""
    path = ""
    value, node = data, root
    line = root.start_mark.line + 1 if root is not None else None
    for segment in loc:
        if segment == "[key]":
            continue
        if isinstance(value, list) and isinstance(segment, int):
            path += f"[{segment}]"
            value = value[segment] if 0 <= segment < len(value) else None
        elif isinstance(segment, int) and not (
            isinstance(value, dict) and any(str(k) == str(segment) for k in value)
        ):
            # a single term the models wrapped into a list: the document has no index here
            continue
        else:
            path += f".{segment}" if path else str(segment)
            if isinstance(value, dict):
                key = next((k for k in value if str(k) == str(segment)), None)
                value = value[key] if key is not None else None
            else:
                value = None
        node = _child_node(node, segment)
        if node is not None:
            line = node.start_mark.line + 1
    return path, line


def _plain_message(error: dict[str, Any]) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling)"
    if kind == "string_type":
        hint = "; put codes in quotes" if isinstance(given, int | float) else ""
        return f"expected text, got {given!r}{hint}"
    if isinstance(given, dict | list) or given is None:
        return error["msg"]
    return f"{error['msg']}, got {given!r}"


def _parse(document: _Document, model: type[BaseModel]) -> tuple[Any, list[Issue]]:
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        return None, [
            document.issue(tuple(err["loc"]), _plain_message(err)) for err in exc.errors()
        ]


def _duplicates(items: Iterable[tuple[Loc, str]], what: str, document: _Document) -> list[Issue]:
    seen: set[str] = set()
    issues = []
    for loc, code in items:
        if code in seen:
            issues.append(document.issue(loc, f"duplicate {what} {code!r}"))
        seen.add(code)
    return issues


# --------------------------------------------------------------------------- measures


def _check_measures(doc: _Document, parsed: MeasuresFile) -> list[Issue]:
    issues: list[Issue] = []
    for vocab in ("structure_types", "publics"):
        entries = getattr(parsed.vocabularies, vocab)
        items = [(("vocabularies", vocab, i, "code"), e.code) for i, e in enumerate(entries)]
        issues += _duplicates(items, "code", doc)
        for loc, code in items:
            if not _PARTNER_RE.match(code):
                issues.append(doc.issue(loc, f"{code!r} is not an upper-case code"))
    items = [(("measures", i, "code"), m.code) for i, m in enumerate(parsed.measures)]
    issues += _duplicates(items, "measure", doc)
    for i, measure in enumerate(parsed.measures):
        if not _MEASURE_RE.match(measure.code):
            issues.append(doc.issue(("measures", i, "code"), "use lower-case snake_case"))
        spec = parsed.sources.get(measure.source)
        if spec is None:
            issues.append(
                doc.issue(("measures", i, "source"), f"source {measure.source!r} not described")
            )
            continue
        if measure.column not in spec.columns:
            issues.append(
                doc.issue(
                    ("measures", i, "column"),
                    f"{measure.source} has no column {measure.column!r} "
                    f"(columns: {', '.join(spec.columns)})",
                )
            )
        for j, name in enumerate(measure.filters):
            if name not in spec.filters:
                issues.append(
                    doc.issue(
                        ("measures", i, "filters", j),
                        f"source {measure.source!r} cannot be filtered by {name}",
                    )
                )
    return issues


def _load_measures_file(path: Path) -> MeasuresFile:
    doc, issues = _read_yaml(path)
    if doc is None:
        raise SchemeError(issues)
    parsed, issues = _parse(doc, MeasuresFile)
    if parsed is None:
        raise SchemeError(issues)
    issues = _check_measures(doc, parsed)
    if issues:
        raise SchemeError(issues)
    return parsed


def load_measures(path: Path | str = DEFAULT_MEASURES_PATH) -> dict[str, Measure]:
    """Read and check measures.yaml; return the measures by code (vocabularies attached)."""
    parsed = _load_measures_file(Path(path))
    accepted = {
        "structure_types": frozenset(e.code for e in parsed.vocabularies.structure_types),
        "publics": frozenset(e.code for e in parsed.vocabularies.publics),
    }
    measures = {}
    for measure in parsed.measures:
        measure._accepted_values = {f: accepted[f] for f in measure.filters if f in accepted}
        measures[measure.code] = measure
    return measures


def load_vocabularies(path: Path | str = DEFAULT_MEASURES_PATH) -> dict[str, dict[str, str]]:
    """Structure types and publics (code -> French label), as declared in measures.yaml."""
    parsed = _load_measures_file(Path(path))
    return {
        name: {entry.code: entry.label for entry in getattr(parsed.vocabularies, name)}
        for name in ("structure_types", "publics")
    }


# --------------------------------------------------------------------------- partners


def _check_partners(doc: _Document, parsed: PartnersFile) -> list[Issue]:
    items = [(("partners", i, "code"), p.code) for i, p in enumerate(parsed.partners)]
    issues = _duplicates(items, "partner", doc)
    for i, partner in enumerate(parsed.partners):
        if not _PARTNER_RE.match(partner.code):
            issues.append(
                doc.issue(("partners", i, "code"), "use upper-case letters, digits and _")
            )
        if not partner.departements:
            issues.append(doc.issue(("partners", i, "departements"), "list at least one"))
        for j, code in enumerate(partner.departements):
            if not _DEPARTEMENT_RE.match(code):
                issues.append(doc.issue(("partners", i, "departements", j), _bad_departement(code)))
        kinds = [
            (("partners", i, "submissions", j, "kind"), s.kind)
            for j, s in enumerate(partner.submissions)
        ]
        issues += _duplicates(kinds, "submission kind", doc)
        for j, submission in enumerate(partner.submissions):
            if not 0 <= submission.deadline_days <= 366:
                issues.append(
                    doc.issue(
                        ("partners", i, "submissions", j, "deadline_days"),
                        "must be between 0 and 366 days",
                    )
                )
    return issues


def load_partners(path: Path | str = DEFAULT_PARTNERS_PATH) -> dict[str, Partner]:
    """Read and check partners.yaml; return the partners by code."""
    doc, issues = _read_yaml(Path(path))
    if doc is None:
        raise SchemeError(issues)
    parsed, issues = _parse(doc, PartnersFile)
    if parsed is None:
        raise SchemeError(issues)
    issues = _check_partners(doc, parsed)
    if issues:
        raise SchemeError(issues)
    return {partner.code: partner for partner in parsed.partners}


# --------------------------------------------------------------------------- schemes


def _bad_departement(code: str) -> str:
    return f'{code!r} is not a département code (e.g. "40", "2A", "971")'


def _territory_problem(code: str, departement: str) -> str | None:
    """Why a code is not an EPCI SIREN or a commune of the département, or None if it is."""
    if _EPCI_RE.match(code):
        return None
    if not _COMMUNE_RE.match(code):
        return f"{code!r} is neither an EPCI SIREN (9 digits) nor a commune code (5 characters)"
    if not code.startswith(departement):
        return f"commune {code!r} is not in département {departement!r}"
    return None


def territory_level(code: str) -> Literal["epci", "commune"]:
    """'epci' for a 9-digit SIREN, 'commune' for a COG commune code."""
    return "epci" if _EPCI_RE.match(code) else "commune"


class _SchemeChecker:
    """Cross-reference checks of one parsed scheme against the registries."""

    def __init__(self, doc, scheme, measures, partners):
        self.doc, self.scheme = doc, scheme
        self.measures, self.partners = measures, partners
        self.issues: list[Issue] = []
        self.departement_ok = True

    def add(self, loc: Loc, message: str) -> None:
        self.issues.append(self.doc.issue(loc, message))

    def run(self) -> list[Issue]:
        s = self.scheme
        if not _SLUG_RE.match(s.id):
            self.add(("id",), "use lower-case letters, digits and hyphens (e.g. landes-2016-2018)")
        elif s.id != self.doc.file.stem:
            self.add(("id",), f"must match the file name ({self.doc.file.stem}.yaml)")
        self.departement_ok = departement_ok = bool(_DEPARTEMENT_RE.match(s.departement))
        if not departement_ok:
            self.add(("departement",), _bad_departement(s.departement))
        self._check_period()
        if departement_ok:
            for i, code in enumerate(s.perimeter):
                problem = _territory_problem(code, s.departement)
                if problem:
                    self.add(("perimeter", i), problem)
        self.issues += _duplicates(
            [(("perimeter", i), c) for i, c in enumerate(s.perimeter)], "territory", self.doc
        )
        if not s.signatories:
            self.add(("signatories",), "list at least one signatory")
        for i, code in enumerate(s.signatories):
            self._check_partner(("signatories", i), code)
        self.issues += _duplicates(
            [(("signatories", i), c) for i, c in enumerate(s.signatories)], "signatory", self.doc
        )
        self._check_axes()
        self._check_indicators()
        self._check_priority_rule()
        return self.issues

    def _check_priority_rule(self) -> None:
        rule, s = self.scheme.priority_territories, self.scheme
        if rule is None:
            return
        loc = ("priority_territories",)
        indicator = next((i for i in s.indicators if i.code == rule.indicator), None)
        if indicator is None:
            self.add((*loc, "indicator"), f"unknown indicator {rule.indicator!r} in this scheme")
            return
        # Values exist only from the indicator's baseline year to the end of the scheme.
        if not indicator.baseline.year <= rule.year <= s.period.end:
            self.add(
                (*loc, "year"),
                f"year {rule.year} outside [{indicator.baseline.year}, {s.period.end}]",
            )

    def _check_period(self) -> None:
        p = self.scheme.period
        if not 1990 <= p.start <= 2100:
            self.add(("period", "start"), f"year {p.start} is not plausible")
        if p.end < p.start:
            self.add(("period", "end"), f"ends ({p.end}) before it starts ({p.start})")
        for name in ("start_month", "end_month"):
            month = getattr(p, name)
            if month is not None and not 1 <= month <= 12:
                self.add(("period", name), "a month is a number from 1 to 12")
        if (p.start_month is None) != (p.end_month is None):
            self.add(("period",), "give both start_month and end_month, or neither")
        elif p.start_month and p.end_month and p.end == p.start and p.end_month < p.start_month:
            self.add(("period", "end_month"), "ends before it starts")

    def _check_partner(self, loc: Loc, code: str) -> None:
        partner = self.partners.get(code)
        if partner is None:
            self.add(loc, f"unknown partner {code!r} (not in partners.yaml)")
        elif self.departement_ok and self.scheme.departement not in partner.departements:
            self.add(
                loc,
                f"partner {code!r} does not cover département {self.scheme.departement!r}"
                " (see its departements in partners.yaml)",
            )

    def _check_axes(self) -> None:
        s = self.scheme
        if not s.axes:
            self.add(("axes",), "list at least one axis")
        axis_codes, action_codes = [], []
        for i, axis in enumerate(s.axes):
            axis_codes.append((("axes", i, "code"), axis.code))
            if not _CODE_RE.match(axis.code):
                self.add(("axes", i, "code"), "use upper-case letters, digits, '-' and '.'")
            if not axis.actions:
                self.add(("axes", i, "actions"), "list at least one action")
            for j, action in enumerate(axis.actions):
                loc = ("axes", i, "actions", j)
                action_codes.append(((*loc, "code"), action.code))
                if not _CODE_RE.match(action.code):
                    self.add((*loc, "code"), "use upper-case letters, digits, '-' and '.'")
                self._check_partner((*loc, "pilot"), action.pilot)
                for k, code in enumerate(action.partners):
                    self._check_partner((*loc, "partners", k), code)
                self.issues += _duplicates(
                    [((*loc, "partners", k), c) for k, c in enumerate(action.partners)],
                    "partner",
                    self.doc,
                )
        self.issues += _duplicates(axis_codes, "axis code", self.doc)
        self.issues += _duplicates(action_codes, "action code", self.doc)

    def _check_indicators(self) -> None:
        s = self.scheme
        self.issues += _duplicates(
            [(("indicators", i, "code"), ind.code) for i, ind in enumerate(s.indicators)],
            "indicator code",
            self.doc,
        )
        for i, indicator in enumerate(s.indicators):
            loc = ("indicators", i)
            if not _CODE_RE.match(indicator.code):
                self.add((*loc, "code"), "use upper-case letters, digits, '-', '_' and '.'")
            if indicator.action not in s.action_codes:
                self.add((*loc, "action"), f"unknown action {indicator.action!r} in this scheme")
            for field in ("label", "unit", "note"):
                if not getattr(indicator, field).strip():
                    self.add((*loc, field), "must not be empty")
            if indicator.weight <= 0:
                self.add((*loc, "weight"), "must be greater than 0")
            self._check_formula(loc, indicator)
            self._check_targets(loc, indicator)

    def _check_formula(self, loc: Loc, indicator: Indicator) -> None:
        formula = indicator.formula
        if formula.factor <= 0:
            self.add((*loc, "formula", "factor"), "must be greater than 0")
        roles = [("numerator", formula.numerator)]
        if formula.denominator is not None:
            roles.append(("denominator", formula.denominator))
        for role, terms in roles:
            role_loc = (*loc, "formula", role)
            if not terms:
                self.add(role_loc, "give at least one term")
            self.issues += _duplicates(
                [((*role_loc, j, "measure"), t.measure) for j, t in enumerate(terms)],
                "measure (combine filters in one term)",
                self.doc,
            )
            for j, term in enumerate(terms):
                self._check_term((*role_loc, j), term)
        unit = indicator.unit.strip()
        has_denominator = bool(formula.denominator)
        for variant in ("share_of_territories", "change_since_baseline"):
            if getattr(formula, variant) and has_denominator:
                self.add((*loc, "formula", variant), "applies to a count: remove the denominator")
        if formula.change_since_baseline and indicator.baseline.value != 0:
            self.add((*loc, "baseline", "value"), "a change since the baseline starts at 0")
        if formula.share_of_territories and formula.change_since_baseline:
            self.add((*loc, "formula", "change_since_baseline"), "not with share_of_territories")
        is_share = formula.share_of_territories is not None
        if unit == "%" and (formula.factor != 100 or not (has_denominator or is_share)):
            self.add(
                (*loc, "unit"),
                "a '%' needs a denominator and factor 100 (or share_of_territories)",
            )
        if unit.startswith("pour 1 000") and (formula.factor != 1000 or not has_denominator):
            self.add((*loc, "unit"), "a rate 'pour 1 000' needs a denominator and factor 1000")

    def _check_term(self, loc: Loc, term: Term) -> None:
        measure = self.measures.get(term.measure)
        if measure is None:
            self.add((*loc, "measure"), f"unknown measure {term.measure!r} (see measures.yaml)")
            return
        for name in FILTER_NAMES:
            values = term.filter_values(name)
            if values is None:
                continue
            if not measure.accepts(name):
                allowed = ", ".join(measure.filters) or "no filter"
                self.add(
                    (*loc, name),
                    f"measure {measure.code!r} does not accept a {name} filter"
                    f" (accepts: {allowed})",
                )
                continue
            if not values:
                self.add((*loc, name), "an empty filter selects nothing: remove it or fill it")
            known = self.scheme.action_codes if name == "actions" else measure.accepted_values(name)
            for k, value in enumerate(values):
                if known is not None and value not in known:
                    what = "action of this scheme" if name == "actions" else name[:-1]
                    self.add((*loc, name, k), f"unknown {what.replace('_', ' ')} {value!r}")
            self.issues += _duplicates(
                [((*loc, name, k), v) for k, v in enumerate(values)], "value", self.doc
            )

    def _check_targets(self, loc: Loc, indicator: Indicator) -> None:
        period, baseline = self.scheme.period, indicator.baseline
        if baseline.year > period.end:
            self.add((*loc, "baseline", "year"), f"after the end of the period ({period.end})")
        if not indicator.targets:
            self.add((*loc, "targets"), f"give at least the end-of-period target ({period.end})")
        elif period.end not in indicator.targets:
            self.add((*loc, "targets"), f"no end-of-period target (year {period.end})")
        span = f"[{baseline.year}, {period.end}]"
        for year in indicator.targets:
            if not baseline.year <= year <= period.end:
                self.add((*loc, "targets", year), f"year {year} outside {span}")
        final = indicator.targets.get(period.end)
        if final is not None:
            wrong_way = (
                final < baseline.value if indicator.direction == "up" else (final > baseline.value)
            )
            if wrong_way:
                self.add(
                    (*loc, "targets", period.end),
                    f"target {final:g} goes the wrong way for direction "
                    f"{indicator.direction!r} (baseline {baseline.value:g})",
                )
        if indicator.method == "cagr" and (
            baseline.value <= 0 or any(v <= 0 for v in indicator.targets.values())
        ):
            self.add((*loc, "method"), "'cagr' needs a baseline and targets greater than 0")
        keys = []
        for k, target in enumerate(indicator.territory_targets):
            t_loc = (*loc, "territory_targets", k)
            keys.append(((*t_loc, "territory"), f"{target.territory} in {target.year}"))
            problem = _territory_problem(target.territory, self.scheme.departement)
            perimeter = self.scheme.perimeter
            if problem:
                self.add((*t_loc, "territory"), problem)
            elif (
                perimeter
                and _EPCI_RE.match(target.territory)
                and (target.territory not in perimeter)
            ):
                self.add((*t_loc, "territory"), "EPCI outside the scheme's perimeter")
            if not baseline.year <= target.year <= period.end:
                self.add((*t_loc, "year"), f"year {target.year} outside {span}")
        self.issues += _duplicates(keys, "territory target", self.doc)


def _load_scheme(path: Path, measures, partners) -> tuple[Scheme | None, _Document | None, list]:
    doc, issues = _read_yaml(path)
    if doc is None:
        return None, None, issues
    scheme, issues = _parse(doc, Scheme)
    if scheme is None:
        return None, doc, issues
    issues = _SchemeChecker(doc, scheme, measures, partners).run()
    return (None if issues else scheme), doc, issues


def load_scheme(
    path: Path | str,
    *,
    measures: dict[str, Measure] | None = None,
    partners: dict[str, Partner] | None = None,
) -> Scheme:
    """Read and check one scheme file; registries default to the shipped YAML files."""
    measures = load_measures() if measures is None else measures
    partners = load_partners() if partners is None else partners
    scheme, _, issues = _load_scheme(Path(path), measures, partners)
    if issues:
        raise SchemeError(issues)
    return scheme


def load_schemes(
    directory: Path | str = DEFAULT_SCHEMES_DIR,
    *,
    measures: dict[str, Measure] | None = None,
    partners: dict[str, Partner] | None = None,
) -> list[Scheme]:
    """Read every ``*.yaml`` of a directory, sorted by id; raise once with every file's problems.

    Across files, scheme ids, axis codes and action codes must be unique (partners report
    beneficiaries by action code).
    """
    measures = load_measures() if measures is None else measures
    partners = load_partners() if partners is None else partners
    issues: list[Issue] = []
    loaded: list[tuple[Scheme, _Document]] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        scheme, doc, file_issues = _load_scheme(path, measures, partners)
        issues += file_issues
        if scheme is not None:
            loaded.append((scheme, doc))
    owners: dict[tuple[str, str], str] = {}
    for scheme, doc in loaded:
        codes: list[tuple[str, Loc, str]] = [("scheme id", ("id",), scheme.id)]
        for i, axis in enumerate(scheme.axes):
            codes.append(("axis code", ("axes", i, "code"), axis.code))
            for j, action in enumerate(axis.actions):
                codes.append(("action code", ("axes", i, "actions", j, "code"), action.code))
        for what, loc, code in codes:
            owner = owners.setdefault((what, code), doc.file.name)
            if owner != doc.file.name:
                issues.append(doc.issue(loc, f"{what} {code!r} already used in {owner}"))
    if issues:
        raise SchemeError(issues)
    return sorted((scheme for scheme, _ in loaded), key=lambda s: s.id)


# --------------------------------------------------------------------------- method texts

# How the Méthode page names each source an indicator reads.
SOURCE_LABELS: dict[str, str] = {
    "placements": "fichier des places et enfants accueillis (placements)",
    "attendance": "fichier des heures (attendance)",
    "beneficiaries": "fichier des bénéficiaires (beneficiaries)",
    "population": "population des enfants par âge (INSEE, fichier de référence)",
}
_FILTER_LABELS = {"structure_types": "types", "publics": "publics", "actions": "actions"}
# Plural of a share level and the agreement of "concerné" with it.
_SHARE_LEVELS = {"commune": ("communes", "concernées"), "epci": ("EPCI", "concernés")}


def french_number(value: float) -> str:
    """A number as French text: thousands split by a space, decimal comma, no trailing zeros.

    1000 -> "1 000", 100.0 -> "100", 0.5 -> "0,5".
    """
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",")


def term_text(
    term: Term, measures: dict[str, Measure], vocabularies: dict[str, dict[str, str]]
) -> str:
    """One formula term in French: the measure's label, then each filter with its values.

    Structure types and publics are named by their vocabulary label, actions by their code;
    a code the vocabularies do not know is shown as it is.
    """
    measure = measures.get(term.measure)
    label = measure.label if measure else term.measure
    filters = []
    for name in FILTER_NAMES:
        values = term.filter_values(name)
        if values:
            names = vocabularies.get(name, {})
            filters.append(
                f"{_FILTER_LABELS[name]} : " + ", ".join(names.get(v, v) for v in values)
            )
    return f"{label} — {' ; '.join(filters)}" if filters else label


def _sum_text(terms: Sequence[Term], measures, vocabularies, *, grouped: bool) -> str:
    """Terms added up (" + "), in parentheses when several are then divided or multiplied."""
    text = " + ".join(term_text(t, measures, vocabularies) for t in terms)
    return f"({text})" if grouped and len(terms) > 1 else text


def formula_text(
    formula: Formula,
    measures: dict[str, Measure],
    vocabularies: dict[str, dict[str, str]],
    *,
    baseline_year: int | None = None,
) -> str:
    """The formula in French, as the indicator engine computes it.

    A rate reads "numerator ÷ denominator × factor"; a count is its numerator (× factor unless
    1); a share of territories counts the territories where the numerator is above 0; a change
    since the baseline subtracts the value of the baseline year (``baseline_year`` if given).
    """
    times = "" if formula.factor == 1 else f" × {french_number(formula.factor)}"
    if formula.share_of_territories:
        plural, concerned = _SHARE_LEVELS[formula.share_of_territories]
        numerator = _sum_text(formula.numerator, measures, vocabularies, grouped=False)
        return (
            f"Part des {plural} du territoire où « {numerator} » est supérieur à 0 : "
            f"{plural} {concerned} ÷ {plural} du territoire{times}"
        )
    if formula.change_since_baseline:
        numerator = _sum_text(formula.numerator, measures, vocabularies, grouped=False)
        year = f" ({baseline_year})" if baseline_year is not None else ""
        then = f"en {baseline_year}" if baseline_year is not None else "de l'année de référence"
        change = f"valeur de l'année − valeur {then}"
        change = f"({change}){times}" if times else change
        return f"Évolution depuis l'année de référence{year} de « {numerator} » : {change}"
    if formula.denominator:
        numerator = _sum_text(formula.numerator, measures, vocabularies, grouped=True)
        denominator = _sum_text(formula.denominator, measures, vocabularies, grouped=True)
        return f"{numerator} ÷ {denominator}{times}"
    return _sum_text(formula.numerator, measures, vocabularies, grouped=bool(times)) + times


def source_text(
    formula: Formula,
    measures: dict[str, Measure],
    partners: dict[str, Partner],
    departement: str,
) -> str:
    """Where an indicator's data come from, in French, one part per source its terms read.

    A source partners send names the partners of the département that send it (by code, per
    the partner registry); population is a reference file. Parts follow the terms' order.
    """
    terms = [*formula.numerator, *(formula.denominator or [])]
    sources = dict.fromkeys(measures[t.measure].source for t in terms if t.measure in measures)
    parts = []
    for source in sources:
        label = SOURCE_LABELS.get(source, source)
        if source not in get_args(SubmissionKind):
            parts.append(label)
            continue
        senders = sorted(
            p.code
            for p in partners.values()
            if departement in p.departements and any(s.kind == source for s in p.submissions)
        )
        if senders:
            parts.append(f"{label} envoyé par {', '.join(senders)}")
        else:
            parts.append(f"{label} : aucun partenaire du département ne l'envoie")
    text = " ; ".join(parts)
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- warehouse tables

# Column -> DuckDB type of every table scheme_tables() returns, in order.
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "schemes": {
        "scheme_id": "VARCHAR",
        "kind": "VARCHAR",
        "title": "VARCHAR",
        "departement_code": "VARCHAR",
        "start_year": "INTEGER",
        "end_year": "INTEGER",
        "start_month": "INTEGER",
        "end_month": "INTEGER",
        "source_note": "VARCHAR",
    },
    "scheme_perimeter": {
        "scheme_id": "VARCHAR",
        "territory_code": "VARCHAR",
        "territory_level": "VARCHAR",
    },
    "scheme_signatories": {"scheme_id": "VARCHAR", "partner_code": "VARCHAR"},
    "axes": {
        "scheme_id": "VARCHAR",
        "axis_code": "VARCHAR",
        "title": "VARCHAR",
        "transversal": "BOOLEAN",
        "position": "INTEGER",
    },
    "actions": {
        "scheme_id": "VARCHAR",
        "action_code": "VARCHAR",
        "axis_code": "VARCHAR",
        "title": "VARCHAR",
        "pilot_partner": "VARCHAR",
        "position": "INTEGER",
    },
    "action_partners": {
        "scheme_id": "VARCHAR",
        "action_code": "VARCHAR",
        "partner_code": "VARCHAR",
    },
    "indicators": {
        "scheme_id": "VARCHAR",
        "indicator_code": "VARCHAR",
        "label": "VARCHAR",
        "action_code": "VARCHAR",
        "unit": "VARCHAR",
        "direction": "VARCHAR",
        "factor": "DOUBLE",
        "has_denominator": "BOOLEAN",
        "share_level": "VARCHAR",
        "change_since_baseline": "BOOLEAN",
        "baseline_year": "INTEGER",
        "baseline_value": "DOUBLE",
        "weight": "DOUBLE",
        "method": "VARCHAR",
        "illustrative": "BOOLEAN",
        "note": "VARCHAR",
        "formula_text": "VARCHAR",
        "source_text": "VARCHAR",
    },
    "priority_rules": {
        "scheme_id": "VARCHAR",
        "indicator_code": "VARCHAR",
        "territory_level": "VARCHAR",
        "threshold": "DOUBLE",
        "threshold_reference": "VARCHAR",
        "year": "INTEGER",
    },
    "indicator_terms": {
        "scheme_id": "VARCHAR",
        "indicator_code": "VARCHAR",
        "role": "VARCHAR",
        "measure_code": "VARCHAR",
        "structure_types": "VARCHAR[]",
        "publics": "VARCHAR[]",
        "actions": "VARCHAR[]",
    },
    "indicator_targets": {
        "scheme_id": "VARCHAR",
        "indicator_code": "VARCHAR",
        "territory_code": "VARCHAR",
        "year": "INTEGER",
        "value": "DOUBLE",
    },
    "measures": {
        "measure_code": "VARCHAR",
        "label": "VARCHAR",
        "source": "VARCHAR",
        "source_column": "VARCHAR",
        "aggregation": "VARCHAR",
    },
    "partners": {"partner_code": "VARCHAR", "name": "VARCHAR", "type": "VARCHAR"},
    "partner_departements": {"partner_code": "VARCHAR", "departement_code": "VARCHAR"},
    "partner_submissions": {
        "partner_code": "VARCHAR",
        "kind": "VARCHAR",
        "cadence": "VARCHAR",
        "deadline_days": "INTEGER",
    },
}

# Primary key of each table (unique across rows; territory_code may be null = scheme-wide).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "schemes": ("scheme_id",),
    "scheme_perimeter": ("scheme_id", "territory_code"),
    "scheme_signatories": ("scheme_id", "partner_code"),
    "axes": ("scheme_id", "axis_code"),
    "actions": ("scheme_id", "action_code"),
    "action_partners": ("scheme_id", "action_code", "partner_code"),
    "indicators": ("scheme_id", "indicator_code"),
    "priority_rules": ("scheme_id",),
    "indicator_terms": ("scheme_id", "indicator_code", "role", "measure_code"),
    "indicator_targets": ("scheme_id", "indicator_code", "territory_code", "year"),
    "measures": ("measure_code",),
    "partners": ("partner_code",),
    "partner_departements": ("partner_code", "departement_code"),
    "partner_submissions": ("partner_code", "kind"),
}

_PANDAS_DTYPES = {
    "VARCHAR": "string",
    "INTEGER": "Int32",
    "DOUBLE": "float64",
    "BOOLEAN": "bool",
    "VARCHAR[]": "object",
}


def _frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    columns = TABLE_COLUMNS[table]
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    return frame.astype({name: _PANDAS_DTYPES[kind] for name, kind in columns.items()})


def scheme_tables(
    schemes: Sequence[Scheme],
    measures: dict[str, Measure],
    partners: dict[str, Partner],
    *,
    vocabularies: dict[str, dict[str, str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Flatten schemes and registries into the warehouse tables described by TABLE_COLUMNS.

    ``vocabularies`` (from :func:`load_vocabularies`, the shipped measures.yaml by default)
    names structure types and publics in the indicators' ``formula_text``.
    """
    vocabularies = load_vocabularies() if vocabularies is None else vocabularies
    rows: dict[str, list[tuple]] = {table: [] for table in TABLE_COLUMNS}
    for s in schemes:
        p = s.period
        rows["schemes"].append(
            (
                s.id,
                s.kind,
                s.title,
                s.departement,
                p.start,
                p.end,
                p.start_month,
                p.end_month,
                s.source_note,
            )
        )
        rows["scheme_perimeter"] += [(s.id, c, territory_level(c)) for c in s.perimeter]
        rows["scheme_signatories"] += [(s.id, code) for code in s.signatories]
        for axis_position, axis in enumerate(s.axes, start=1):
            rows["axes"].append((s.id, axis.code, axis.title, axis.transversal, axis_position))
            for position, action in enumerate(axis.actions, start=1):
                rows["actions"].append(
                    (s.id, action.code, axis.code, action.title, action.pilot, position)
                )
                rows["action_partners"] += [(s.id, action.code, c) for c in action.partners]
        for ind in s.indicators:
            f = ind.formula
            rows["indicators"].append(
                (
                    s.id,
                    ind.code,
                    ind.label,
                    ind.action,
                    ind.unit,
                    ind.direction,
                    f.factor,
                    bool(f.denominator),
                    f.share_of_territories,
                    f.change_since_baseline,
                    ind.baseline.year,
                    ind.baseline.value,
                    ind.weight,
                    ind.method,
                    ind.illustrative,
                    ind.note,
                    formula_text(f, measures, vocabularies, baseline_year=ind.baseline.year),
                    source_text(f, measures, partners, s.departement),
                )
            )
            for role, terms in (("numerator", f.numerator), ("denominator", f.denominator)):
                for t in terms or []:
                    rows["indicator_terms"].append(
                        (s.id, ind.code, role, t.measure, t.structure_types, t.publics, t.actions)
                    )
            rows["indicator_targets"] += [
                (s.id, ind.code, None, year, value) for year, value in sorted(ind.targets.items())
            ]
            rows["indicator_targets"] += [
                (s.id, ind.code, t.territory, t.year, t.value) for t in ind.territory_targets
            ]
        if rule := s.priority_territories:
            by_area = rule.below == "departement"
            rows["priority_rules"].append(
                (
                    s.id,
                    rule.indicator,
                    rule.level,
                    None if by_area else float(rule.below),
                    "departement" if by_area else "valeur",
                    rule.year,
                )
            )
    for m in measures.values():
        rows["measures"].append((m.code, m.label, m.source, m.column, m.aggregation))
    for partner in partners.values():
        rows["partners"].append((partner.code, partner.name, partner.type))
        rows["partner_departements"] += [(partner.code, d) for d in partner.departements]
        rows["partner_submissions"] += [
            (partner.code, sub.kind, sub.cadence, sub.deadline_days) for sub in partner.submissions
        ]
    return {table: _frame(table, table_rows) for table, table_rows in rows.items()}


def write_scheme_tables(connection, tables: dict[str, pd.DataFrame], schema: str = "main"):
    """(Re)create the tables in a DuckDB connection with the declared column types."""
    for table, frame in tables.items():
        columns = TABLE_COLUMNS[table]
        ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
        connection.execute(f'create or replace table "{schema}"."{table}" ({ddl})')
        connection.register("_scheme_rows", frame)
        try:
            connection.execute(f'insert into "{schema}"."{table}" select * from _scheme_rows')
        finally:
            connection.unregister("_scheme_rows")
