"""Data-quality rules across files and years: an accepted file against what the warehouse holds.

The rules are data (``quality_rules.yaml`` of the deployment, see ``settings.Deployment``): each
names a check (a code of ``quality_checks`` in sources/vocabulary.yaml), the measure it reads
(measures.yaml gives its file and column), its thresholds, a French message and whether it is
blocking. A rule gives warnings in the receipt; a blocking rule gives errors, which refuse the
file. Checks compare a file's rows with the revisions that count of what the same partner sent
before (orchestration/intake/revisions.py, the rule dbt reads too: the latest per period, held
files left out), so a file corrected later is judged against the corrected one.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration import vocabulary, yaml_loading
from orchestration.intake.receipt import Issue, Receipt
from orchestration.intake.revisions import COUNTED_REVISIONS_WITHOUT
from orchestration.settings import deployment

CHECKS = "quality_checks"  # the code list of sources/vocabulary.yaml
# Thresholds each check needs (required) and may take (optional, with its default).
_PARAMETERS: dict[str, tuple[dict[str, float | None], dict[str, float]]] = {
    "jump": ({"factor": None}, {"min_previous": 1}),
    "capacity": ({"hours_per_day": None}, {}),
    "ratio": ({"max_ratio": None}, {}),
    "outlier": ({"max_score": None}, {"min_population": 10}),
}
# The file a check reads, whatever the measure: capacity needs attendance hours, ratio children.
_CHECK_SOURCES = {"capacity": {"attendance"}, "ratio": {"placements"}, "outlier": {"placements"}}
# What identifies "the same thing" from one period to the next, per kind of file.
_KEYS = {
    "placements": ("structure_code",),
    "attendance": ("structure_code",),
    "beneficiaries": ("action_code", "territory_code", "public"),
}
_PLACEHOLDERS = {
    "value",
    "previous_value",
    "previous_period",
    "factor",
    "capacity",
    "places",
    "opening_days",
    "hours_per_day",
    "max_ratio",
    "median",
    "score",
    "population",
}
# The rows of one kind that count, the file being judged left out as if it had not come (the
# kind named in the join too, so that DuckDB reads that kind's table only).
_COUNTED_ROWS = f"""
    select rows.* from raw.{{kind}} as rows
    inner join {COUNTED_REVISIONS_WITHOUT}(?) as counted
        on counted.submission_kind = '{{kind}}'
        and rows.submission_id = counted.submission_id and rows.period = counted.period
"""


class QualityRulesError(ValueError):
    """The rules file is malformed: every problem, in French, with the file and the rule."""


@dataclass(frozen=True)
class Rule:
    code: str
    check: str
    measure: str
    source: str  # the kind of file the measure reads
    column: str
    message: str
    blocking: bool = False
    parameters: dict[str, float] = field(default_factory=dict)


def load_rules(path: Path | None = None) -> list[Rule]:
    """The rules of ``path`` (default: the deployment's ``quality_rules.yaml``; none if absent),
    checked against the vocabulary and the measures."""
    import yaml

    from orchestration.schemes.measures import load_measures

    path = Path(path or deployment().quality_rules)
    if not path.is_file():
        return []
    try:
        data = yaml_loading.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise QualityRulesError(f"{path} : fichier YAML illisible ({exc})") from None
    items = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise QualityRulesError(f"{path} : une liste « rules » de règles est attendue")
    measures = load_measures()
    problems, rules, seen = [], [], set()
    for i, item in enumerate(items):
        name = item.get("code") if isinstance(item, dict) else None
        where = f"{path} : règle {name or f'n° {i + 1}'}"
        try:
            rule = _rule(item, measures)
        except ValueError as exc:
            problems.append(f"{where} : {exc}")
            continue
        if rule.code in seen:
            problems.append(f"{where} : code de règle déjà utilisé")
        seen.add(rule.code)
        rules.append(rule)
    if problems:
        raise QualityRulesError("\n".join(problems))
    return rules


def _rule(item: Any, measures) -> Rule:
    if not isinstance(item, dict):
        raise ValueError("une règle est un dictionnaire (code, check, measure, message…)")
    for key in ("code", "check", "measure", "message"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ValueError(f"« {key} » manquant ou vide")
    check = item["check"]
    if check not in vocabulary.codes(CHECKS):
        raise ValueError(
            f"contrôle « {check} » inconnu (possibles : {', '.join(vocabulary.codes(CHECKS))})"
        )
    measure = measures.get(item["measure"])
    if measure is None:
        raise ValueError(f"mesure « {item['measure']} » inconnue de measures.yaml")
    if measure.source not in _KEYS or measure.source not in _CHECK_SOURCES.get(check, _KEYS):
        raise ValueError(
            f"le contrôle « {check} » ne s'applique pas à la mesure « {measure.code} » "
            f"(fichier {measure.source})"
        )
    required, optional = _PARAMETERS[check]
    known = {"code", "check", "measure", "message", "blocking", *required, *optional}
    unknown = sorted(set(item) - known)
    if unknown:
        raise ValueError(f"paramètre(s) inconnu(s) : {', '.join(unknown)}")
    parameters = dict(optional)
    for key in [*required, *optional]:
        if key not in item:
            if key in required:
                raise ValueError(f"seuil « {key} » manquant pour le contrôle « {check} »")
            continue
        value = item[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"seuil « {key} » : un nombre positif est attendu, pas {value!r}")
        parameters[key] = float(value)
    if check == "jump" and parameters["factor"] <= 1:
        raise ValueError("seuil « factor » : il doit dépasser 1")
    blocking = item.get("blocking", False)
    if not isinstance(blocking, bool):
        raise ValueError(f"« blocking » vaut true ou false, pas {blocking!r}")
    fields = {f for _, f, _, _ in string.Formatter().parse(item["message"]) if f is not None}
    if fields - _PLACEHOLDERS:
        raise ValueError(
            f"message : champ(s) inconnu(s) {', '.join(sorted(fields - _PLACEHOLDERS))} "
            f"(possibles : {', '.join(sorted(_PLACEHOLDERS))})"
        )
    return Rule(
        item["code"],
        check,
        measure.code,
        measure.source,
        measure.column,
        item["message"],
        blocking,
        parameters,
    )


def apply_rules(
    con: duckdb.DuckDBPyConnection,
    rules: list[Rule],
    *,
    kind: str,
    partner: str,
    submission_id: str,
    frame: pd.DataFrame,
    receipt: Receipt,
) -> None:
    """Add to ``receipt`` the warnings (errors for blocking rules) of an accepted file's rows.

    The raw tables and the revisions that count must exist: ``process_stored``, the one caller,
    creates them (``ensure_raw_tables``) once before its files."""
    mine = [r for r in rules if r.source == kind]
    if not mine or frame is None or frame.empty:
        return
    found: list[Issue] = []
    con.register("_quality_rows", frame)
    try:
        for rule in mine:
            for issue in _CHECKERS[rule.check](con, rule, kind, partner, submission_id):
                (receipt.errors if rule.blocking else receipt.warnings).append(issue)
                found.append(issue)
    finally:
        con.unregister("_quality_rows")
    receipt.errors.sort(key=lambda i: (i.line or 0, i.column or ""))
    _record_warnings(con, submission_id, found if receipt.accepted else [])


def warning_id(submission_id: str, line: int | None, rule: str) -> str:
    """The stable identifier of a quality warning: its file, line and rule."""
    return f"{submission_id}:{line}:{rule}"


def ensure_warnings_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``raw.quality_warnings`` when missing (idempotent)."""
    con.execute("create schema if not exists raw")
    con.execute(
        """
        create table if not exists raw.quality_warnings (
            warning_id varchar primary key, submission_id varchar not null, line integer,
            column_name varchar, rule varchar not null, severity varchar not null,
            value varchar, previous_value varchar, previous_period varchar, message varchar
        )
        """
    )


def _record_warnings(con, submission_id: str, issues: list[Issue]) -> None:
    """``raw.quality_warnings``: the quality warnings of each accepted file (replaced when the
    file is judged again), which the quality mart publishes."""
    ensure_warnings_table(con)
    con.execute("delete from raw.quality_warnings where submission_id = ?", [submission_id])
    if not issues:
        return
    con.executemany(
        "insert into raw.quality_warnings values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                warning_id(submission_id, i.line, i.rule),
                submission_id,
                i.line,
                i.column,
                i.rule,
                i.severity,
                i.value,
                i.previous_value,
                i.previous_period,
                i.message,
            ]
            for i in issues
        ],
    )


def _issue(rule: Rule, line, column_fr: str, value, **fields) -> Issue:
    shown = {k: _show(v) for k, v in {"value": value, **rule.parameters, **fields}.items()}
    return Issue(
        rule=rule.code,
        message=rule.message.format_map(_Blank(shown)),
        line=int(line),
        column=column_fr,
        value=_plain(value),
        severity="blocking" if rule.blocking else "warning",
        previous_value=_plain(fields.get("previous_value")),
        previous_period=fields.get("previous_period"),
    )


def _jump(con, rule: Rule, kind, partner, submission_id):
    keys = _KEYS[kind]
    on = " and ".join(f"p.{k} = r.{k}" for k in keys)
    rows = con.execute(
        f"""
        with previous as ({_COUNTED_ROWS.format(kind=kind)} where rows.partner_code = ?)
        select r.line, r.{rule.column}, p.{rule.column}, p.period
        from _quality_rows as r
        join previous as p
            on {on} and p.period_type = r.period_type and p.period_start < r.period_start
        where r.{rule.column} is not null and p.{rule.column} is not null
        qualify row_number() over (partition by r.line order by p.period_start desc) = 1
        order by r.line
        """,
        [submission_id, partner],
    ).fetchall()
    factor, floor = rule.parameters["factor"], rule.parameters["min_previous"]
    return [
        _issue(
            rule,
            line,
            _french(kind, rule.column),
            value,
            previous_value=prev,
            previous_period=period,
        )
        for line, value, prev, period in rows
        if prev >= floor and (value >= factor * prev or value * factor <= prev)
    ]


def _capacity(con, rule: Rule, kind, partner, submission_id):
    hours = rule.parameters["hours_per_day"]
    rows = con.execute(
        f"""
        with places as ({_COUNTED_ROWS.format(kind="placements")} where rows.partner_code = ?)
        select r.line, r.{rule.column}, p.places, r.opening_days,
            p.places * r.opening_days * ? as capacity
        from _quality_rows as r
        join places as p
            on p.structure_code = r.structure_code and p.period_start <= r.period_end
        where r.opening_days is not null and r.{rule.column} is not null
        qualify row_number() over (partition by r.line order by p.period_start desc) = 1
        order by r.line
        """,
        [submission_id, partner, hours],
    ).fetchall()
    return [
        _issue(
            rule,
            line,
            _french(kind, rule.column),
            value,
            places=places,
            opening_days=days,
            capacity=capacity,
        )
        for line, value, places, days, capacity in rows
        if value > capacity
    ]


def _ratio(con, rule: Rule, kind, partner, submission_id):
    rows = con.execute(
        f"""
        select line, {rule.column}, places from _quality_rows
        where places > 0 and {rule.column} > places * ?
        order by line
        """,
        [rule.parameters["max_ratio"]],
    ).fetchall()
    return [
        _issue(rule, line, _french(kind, rule.column), value, places=places)
        for line, value, places in rows
    ]


def _outlier(con, rule: Rule, kind, partner, submission_id):
    """A robust z-score on the logarithm (sizes spread multiplicatively): distance to the
    median of the structures of the same type and year,
    in median absolute deviations (scaled to a standard deviation), among every partner's
    latest rows and this file's (which supersede the partner's earlier rows of its periods).
    The spread is never taken below the mean absolute deviation (scaled likewise): where most
    structures share one size (leisure centres at their minimum of places), the median
    deviation is near zero and would flag every ordinary structure."""
    col = rule.column
    rows = con.execute(
        f"""
        with history as (
            select structure_type, period_year, ln(1 + {col}) as v
            from ({_COUNTED_ROWS.format(kind=kind)})
            where not (partner_code = ? and period in (select period from _quality_rows))
        ),
        peers as (
            select * from history where v is not null
            union all
            select structure_type, period_year, ln(1 + {col}) from _quality_rows
            where {col} is not null
        ),
        centre as (
            select structure_type, period_year, median(v) as med, count(*) as n
            from peers group by all
        ),
        spread as (
            select
                p.structure_type,
                p.period_year,
                greatest(
                    1.4826 * median(abs(p.v - c.med)), 1.2533 * avg(abs(p.v - c.med))
                ) as sd
            from peers as p join centre as c using (structure_type, period_year) group by all
        )
        select r.line, r.{col}, exp(c.med) - 1, abs(ln(1 + r.{col}) - c.med) / s.sd, c.n
        from _quality_rows as r
        join centre as c using (structure_type, period_year)
        join spread as s using (structure_type, period_year)
        where c.n >= ? and s.sd > 0 and abs(ln(1 + r.{col}) - c.med) / s.sd > ?
        order by r.line
        """,
        [submission_id, partner, rule.parameters["min_population"], rule.parameters["max_score"]],
    ).fetchall()
    return [
        _issue(
            rule, line, _french(kind, col), value, median=med, score=round(score, 1), population=n
        )
        for line, value, med, score, n in rows
    ]


_CHECKERS = {"jump": _jump, "capacity": _capacity, "ratio": _ratio, "outlier": _outlier}


def _french(kind: str, column: str) -> str:
    from models import CONTRACTS
    from models.common import french_names

    return french_names(CONTRACTS[kind])[column]


def _show(value) -> str | None:
    """A number as a partner reads it: 1 200, 24, 3,5."""
    if value is None or isinstance(value, str):
        return value
    value = float(value)
    if value.is_integer():
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def _plain(value) -> str | None:
    """A number as a cell holds it: 24, 10890.5."""
    if value is None:
        return None
    value = float(value)
    return str(int(value)) if value.is_integer() else str(value)


class _Blank(dict):
    """Placeholders a check does not fill read as a dash rather than failing."""

    def __missing__(self, key):
        return "–"
