"""Statistical secrecy of what is published: small counts of people hidden, secondary suppression.

Which figures are counts subject to secrecy
    The numerator or denominator of an indicator whose formula sums a measure counting people a
    partner reported: ``counts_people: true`` in sources/measures.yaml (children enrolled,
    disabled children, beneficiaries of actions…), read from the mart ``dim_measures``. Places,
    structures, hours and the INSEE child population are not (they describe equipment, or are
    public statistics). For a count indicator (no denominator) the value is the count itself
    (factor × numerator). A measure added to measures.yaml with ``counts_people: true`` is
    protected everywhere it is published, with no change here.

Primary rule
    A count ``n`` with ``0 < n < threshold`` is hidden (threshold ``SDSF_SECRET_THRESHOLD``,
    default 11). Zero is shown: it says nothing about a person. For a share whose numerator is a
    « dont » of its denominator (``part_of`` in measures.yaml: disabled children among children
    enrolled, with the same filters), the numerator is also hidden when the rest,
    ``denominator − numerator``, is below the threshold: « all but two children are from
    low-income families » discloses as much as « two children ».

Secondary rule
    Published figures add up: commune → EPCI → scheme area, commune → area, priority group +
    other group → area. Within every such relation (one per published count, period and set of
    partners' facts), a hidden cell is never the only hidden one; then a linear-algebra audit
    checks that no hidden cell is determined by the published ones through any combination of
    relations, and hides more until none is. The same figure (same count, same territory, same
    value) shares one fate across indicators and schemes, so it cannot be read from another one;
    two measures reading the same column of the same source the same way are the same count.

What is hidden
    Hidden counts are null; a rate whose numerator or denominator is hidden is null, as is what
    derives from it (progress, status, baselines that are that value, roll-ups and inequality
    statistics computed from it). Rows carry ``secret_value``, ``secret_numerator``,
    ``secret_denominator`` (booleans) and ``secrecy_note`` (« secret statistique » or null).

Inputs
    Only published marts, copied into the publication before secrecy changes anything:
    ``dim_measures`` (the rules), ``dim_indicators`` and ``dim_indicator_terms`` (formulas),
    ``dim_scheme_communes`` and ``dim_priority_territories`` (what adds up to what).

Not covered: bounds an attacker could derive from non-negativity (interval disclosure), and
relations between counts with different filters (e.g. EAJE + ALSH children vs both together).
"""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orchestration import vocabulary

SECRET_NOTE = vocabulary.label("progress_statuses", "secret")  # the note on hidden cells
# The progress status of a hidden figure and of what rolls it up (a code of vocabulary.yaml).
SECRET_STATUS = "secret"
DEFAULT_THRESHOLD = 11  # ../shared/domain.md: 11 households is a common rule (configurable)
THRESHOLD_ENV = "SDSF_SECRET_THRESHOLD"
_EPS = 1e-9


def secret_threshold() -> int:
    """The threshold below which a count is hidden: ``$SDSF_SECRET_THRESHOLD`` or 11."""
    raw = os.environ.get(THRESHOLD_ENV, "").strip()
    if not raw:
        return DEFAULT_THRESHOLD
    value = int(raw)
    if value < 1:
        raise ValueError(f"{THRESHOLD_ENV} must be a positive integer, not {raw!r}")
    return value


def is_small(value: float | None, threshold: int) -> bool:
    """The primary rule: a non-zero count below the threshold."""
    return value is not None and not pd.isna(value) and 0 < value < threshold


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (cells absent from the values are known zeros)."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass
class Protection:
    hidden: set = field(default_factory=set)
    primary: set = field(default_factory=set)

    @property
    def secondary(self) -> set:
        return self.hidden - self.primary


def recoverable(
    values: Mapping[Hashable, float], relations: Sequence[Relation], hidden: Iterable[Hashable]
) -> set:
    """Hidden cells whose value the published cells and the relations determine exactly.

    Each relation is a linear equation; with the published cells moved to the right-hand side,
    a hidden cell is determined iff its unit vector lies in the row space of the equations
    restricted to hidden cells, i.e. iff every vector of their null space is zero there.
    """
    hidden = [k for k in hidden if k in values]
    if not hidden:
        return set()
    index = {k: i for i, k in enumerate(hidden)}
    rows = []
    for rel in relations:
        if rel.total not in values:
            continue  # an unpublished total gives no equation
        row = np.zeros(len(hidden))
        if rel.total in index:
            row[index[rel.total]] += 1.0
        for part in rel.parts:
            if part in index:
                row[index[part]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    # The same test through the row space: a unit vector lies in it iff its projection there
    # keeps its whole length. There are far fewer equations than hidden cells (15 against 356
    # in a département), and the thin SVD gives that space without the null space's square
    # matrix, whose full SVD made secrecy hours at national scale.
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-8).sum())
    length = (vt[:rank] ** 2).sum(axis=0)  # squared length of each unit vector's projection
    determined = np.abs(1.0 - length) < 1e-12
    return {k for k, i in index.items() if determined[i]}


def protect(
    values: Mapping[Hashable, float], relations: Sequence[Relation], primary: Iterable[Hashable]
) -> Protection:
    """Add secondary suppressions to ``primary`` until no hidden cell can be recomputed.

    Complement cells are chosen small first (least information lost), ties broken by key.
    """
    primary = {k for k in primary if k in values}
    hidden = set(primary)
    relations = [r for r in relations if r.total in values]
    by_cell: dict[Hashable, list[Relation]] = {}
    for rel in relations:
        for k in (rel.total, *rel.parts):
            by_cell.setdefault(k, []).append(rel)

    # Each cell's rank, smallest value first, ties broken by key: sorted once, not per pick.
    rank = {k: n for n, k in enumerate(sorted(values, key=lambda k: (abs(values[k]), repr(k))))}

    def cheapest(candidates: Iterable[Hashable]) -> Hashable | None:
        pool = [k for k in candidates if k in rank and k not in hidden]
        return min(pool, key=rank.__getitem__) if pool else None

    structural: set = set()  # hidden zeros the relations alone determine (see below)
    while True:
        changed = True
        while changed:
            changed = False
            for rel in relations:
                members = [k for k in (rel.total, *rel.parts) if k in values]
                if sum(k in hidden for k in members) == 1:
                    pick = cheapest(rel.parts) or cheapest([rel.total])
                    if pick is not None:
                        hidden.add(pick)
                        changed = True
        component = _component(relations, by_cell, hidden)
        leaks = recoverable(values, component, hidden) - structural
        if not leaks:
            return Protection(hidden=hidden, primary=primary)
        leak = min(leaks, key=repr)
        pick = cheapest(k for rel in by_cell.get(leak, []) for k in (*rel.parts, rel.total))
        if pick is None:  # every neighbour is hidden: the leak is determined further away
            cells = {k for rel in component for k in (rel.total, *rel.parts)}
            if leak in recoverable(values, component, cells) and not values[leak]:
                # Determined with every cell hidden: the relations alone force it (a commune
                # outside every EPCI when the EPCI add up to the département), so it is a zero
                # that hiding or publishing gives away alike, and never a primary cell.
                structural.add(leak)
                continue
            pick = cheapest(cells)
            if pick is None:
                raise RuntimeError(f"cannot protect {leak!r}: every related cell is hidden")
        hidden.add(pick)


def _component(relations, by_cell, hidden) -> list[Relation]:
    """Relations touching a hidden cell (the others add no equation between hidden cells)."""
    seen, out = set(), []
    for k in hidden:
        for rel in by_cell.get(k, []):
            if id(rel) not in seen:
                seen.add(id(rel))
                out.append(rel)
    return out


# --------------------------------------------------------------------------- the marts


@dataclass(frozen=True)
class Geography:
    """Per scheme: every commune with its EPCI (or None) and the scheme's area level and code."""

    communes: pd.DataFrame  # scheme_id, commune_code, epci_siren, area_level, area_code
    priority: pd.DataFrame  # scheme_id, territory_level, territory_code, is_priority


def term_signature(terms: pd.DataFrame, figures: Mapping[str, str] | None = None) -> str:
    """A canonical text for a list of formula terms: equal signatures are equal figures.

    ``figures`` names what a measure reads (``MeasureRules.figures``), so that two measures
    reading the same thing are one figure; by default a measure is its code."""
    figures = figures or {}
    items = []
    for t in terms.itertuples(index=False):
        items.append(
            [
                figures.get(t.measure, t.measure),
                *(
                    sorted(v) if v is not None and not _isna(v) else None
                    for v in (t.structure_types, t.publics, t.actions)
                ),
            ]
        )
    return json.dumps(sorted(items, key=json.dumps))


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


@dataclass
class IndicatorSecrecy:
    """Which parts of an indicator are counts of people, and their signatures."""

    numerator: str | None  # signature when the numerator is a secret count
    denominator: str | None
    part_of_denominator: bool  # numerator is a « dont » of the denominator
    count: bool  # no denominator: value = factor × numerator


@dataclass(frozen=True)
class MeasureRules:
    """The publication rules of the measures (the mart dim_measures)."""

    counts_people: frozenset[str]
    part_of: Mapping[str, str]  # a « dont » -> the measure it is part of
    known: frozenset[str]
    # What a measure counting people reads (source, column, aggregation): two codes for the
    # same count are one figure, hidden alike, or one would give away the other's secret cells.
    # Population rows are long (measures.yaml): there the code, an age band, is the figure.
    figures: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, measures: pd.DataFrame) -> MeasureRules:
        """``measures``: dim_measures' measure_code, source, source_column, aggregation,
        counts_people, part_of."""
        part_of = measures[measures.part_of.notna()]
        people = measures[measures.counts_people.astype(bool)]
        return cls(
            counts_people=frozenset(people.measure_code),
            part_of=dict(zip(part_of.measure_code, part_of.part_of, strict=True)),
            known=frozenset(measures.measure_code),
            figures={
                m.measure_code: f"{m.source}.{m.source_column}.{m.aggregation}"
                for m in people.itertuples(index=False)
                if m.source != "population"
            },
        )


def classify_indicators(terms: pd.DataFrame, indicators: pd.DataFrame, rules: MeasureRules) -> dict:
    """``terms``: scheme_id, indicator_code, role, measure, structure_types, publics, actions;
    ``indicators``: scheme_id, indicator_code, has_denominator, share_level,
    change_since_baseline. Returns {(scheme_id, indicator_code): IndicatorSecrecy}.

    A term on a measure without publication rules is an error: publishing it could show a
    small count of people."""
    unknown = sorted(set(terms.measure) - rules.known)
    if unknown:
        raise ValueError(f"no publication rule (dim_measures) for the measures {unknown}")
    out = {}
    for row in indicators.itertuples(index=False):
        mine = terms[
            (terms.scheme_id == row.scheme_id) & (terms.indicator_code == row.indicator_code)
        ]
        special = (row.share_level is not None and not _isna(row.share_level)) or bool(
            row.change_since_baseline
        )
        sig = {}
        for role in ("numerator", "denominator"):
            rt = mine[mine.role == role]
            secret = len(rt) > 0 and rt.measure.isin(rules.counts_people).any()
            sig[role] = term_signature(rt, rules.figures) if secret and not special else None
        num, den = mine[mine.role == "numerator"], mine[mine.role == "denominator"]
        part = (
            sig["numerator"] is not None
            and sig["denominator"] is not None
            and len(num) == len(den) == 1
            and rules.part_of.get(num.measure.iloc[0]) == den.measure.iloc[0]
            and _filters(num.iloc[0]) == _filters(den.iloc[0])
        )
        out[(row.scheme_id, row.indicator_code)] = IndicatorSecrecy(
            sig["numerator"], sig["denominator"], part, not bool(row.has_denominator)
        )
    return out


def _filters(term) -> str:
    return json.dumps(
        [
            sorted(v) if v is not None and not _isna(v) else None
            for v in (term.structure_types, term.publics, term.actions)
        ]
    )


def _cell_key(sig, period, row) -> tuple:
    # Communes and EPCI have national codes: the same figure in two schemes is one cell. The
    # value is part of the key because an EPCI cut by a scheme's area is another figure.
    if row.territory_level in ("commune", "epci"):
        return (sig, period, row.territory_level, row.territory_code, float(row.figure))
    return (sig, period, row.territory_level, row.scheme_id + "/" + row.territory_code)


def protect_indicator_values(
    values: pd.DataFrame,
    classes: dict,
    geography: Geography,
    threshold: int,
) -> pd.DataFrame:
    """Return fct_indicator_values with hidden counts and rates nulled and the secrecy flags.

    ``values`` has the mart's columns; rows of indicators that are not counts of people are
    returned unchanged (flags false).
    """
    df = values.copy()
    df["secret_numerator"] = False
    df["secret_denominator"] = False
    figures = []  # one row per published secret count: role, signature, key, value
    # The rows of each indicator, found once: a mask over every row for each of a national
    # deployment's ~2,000 indicators made this loop quadratic (minutes at 100 départements).
    rows_of = df.groupby(["scheme_id", "indicator_code"], sort=False).indices
    for (scheme, code), cls in classes.items():
        if (scheme, code) not in rows_of:
            continue
        block = df.iloc[rows_of[(scheme, code)]]
        for role in ("numerator", "denominator"):
            sig = getattr(cls, role)
            if sig is None:
                continue
            sel = block[block[role].notna()]
            part = sel[["scheme_id", "territory_level", "territory_code", "period"]]
            part = part.assign(figure=sel[role], role=role, sig=sig, index=sel.index)
            if role == "numerator" and cls.part_of_denominator:
                part = part.assign(rest=sel["denominator"] - sel["numerator"])
            figures.append(part)
    if not figures:
        return _finish(df, classes)
    cells = pd.concat(figures, ignore_index=True)
    cells["key"] = [_cell_key(r.sig, r.period, r) for r in cells.itertuples(index=False)]
    hidden: set = set()
    for _, group in cells.groupby(["sig", "period"], sort=True):
        vals = dict(zip(group.key, group.figure.astype(float), strict=True))
        primary = {k for k, v in vals.items() if is_small(v, threshold)}
        if "rest" in group:
            small_rest = group[(group.figure > 0) & (group.rest.notna()) & (group.rest < threshold)]
            primary |= set(small_rest.key)
        relations = _relations(group, geography)
        hidden |= protect(vals, relations, primary).hidden
    cells["hidden"] = cells.key.isin(hidden)
    for role in ("numerator", "denominator"):
        idx = cells.loc[cells.hidden & (cells.role == role), "index"]
        df.loc[idx, f"secret_{role}"] = True
    return _finish(df, classes)


def _relations(group: pd.DataFrame, geography: Geography) -> list[Relation]:
    """Sums between the published cells of one count and period, scheme by scheme.

    Conservative: a relation is listed even when partners' EPCI-level facts make it inexact
    (it can only add suppressions, never let a hidden cell through).
    """
    relations = []
    geo, prio = geography.communes, geography.priority
    for scheme, cells in group.groupby("scheme_id"):
        at = {(r.territory_level, r.territory_code): r.key for r in cells.itertuples()}
        g = geo[geo.scheme_id == scheme]
        if g.empty:
            continue

        def keys(level, codes, at=at):
            return tuple(at[(level, c)] for c in codes if (level, c) in at)

        area = (g.area_level.iloc[0], g.area_code.iloc[0])
        epcis = sorted(set(g.epci_siren.dropna()))
        lone = keys("commune", g.loc[g.epci_siren.isna(), "commune_code"])
        for e in epcis:
            if ("epci", e) in at:
                members = keys("commune", g.loc[g.epci_siren == e, "commune_code"])
                relations.append(Relation(at[("epci", e)], members))
        if area in at:
            relations.append(Relation(at[area], keys("commune", g.commune_code)))
            relations.append(Relation(at[area], keys("epci", epcis) + lone))
        p = prio[prio.scheme_id == scheme]
        groups = []
        for level, flag in (("prioritaire", True), ("hors_prioritaire", False)):
            if (level, level) in at:
                groups.append(at[(level, level)])
                members = p[p.is_priority == flag]
                parts = tuple(
                    at[(lv, c)]
                    for lv, c in zip(members.territory_level, members.territory_code, strict=True)
                    if (lv, c) in at
                )
                relations.append(Relation(at[(level, level)], parts))
        # The two groups add up to the area only when their territories cover every commune:
        # under a rule by EPCI, a commune in no EPCI (an island: Bréhat, Sein, Yeu) is in
        # neither, and the sum would claim its figures are zero.
        covered = set(p.territory_code[p.territory_level == "commune"]) | set(
            g.commune_code[g.epci_siren.isin(p.territory_code[p.territory_level == "epci"])]
        )
        if area in at and groups and covered >= set(g.commune_code):
            relations.append(Relation(at[area], tuple(groups)))
    return relations


def _finish(df: pd.DataFrame, classes: dict) -> pd.DataFrame:
    """Null what a hidden count reveals, and flag the rows."""
    df["secret_value"] = df.secret_numerator | df.secret_denominator
    df.loc[df.secret_numerator, "numerator"] = np.nan
    df.loc[df.secret_denominator, "denominator"] = np.nan
    hide = df.secret_value
    df.loc[hide, ["value", "progress"]] = np.nan
    df.loc[hide, "status"] = SECRET_STATUS
    df.loc[hide, "status_label"] = vocabulary.label("progress_statuses", SECRET_STATUS)
    # A territory's measured baseline is its value of the baseline year: hidden with it, and so
    # are the targets and trajectory interpolated from it (the area's baseline is the scheme's).
    base = df.loc[hide & (df.period == df.baseline_year.astype("Int64").astype(str))]
    keys = set(
        zip(
            base.scheme_id,
            base.indicator_code,
            base.territory_level,
            base.territory_code,
            strict=True,
        )
    )
    measured = ~df.territory_level.isin(["departement", "perimetre"])
    row_keys = pd.Series(
        list(
            zip(
                df.scheme_id,
                df.indicator_code,
                df.territory_level,
                df.territory_code,
                strict=True,
            )
        ),
        index=df.index,
    )
    lost = measured & row_keys.isin(keys)
    df.loc[lost, ["baseline_value", "target_value", "expected_value", "expected_progress"]] = np.nan
    df.loc[lost & ~hide, "progress"] = np.nan
    df["secret_baseline"] = lost
    flagged = hide | lost
    df["secrecy_note"] = np.where(flagged, SECRET_NOTE, None)
    return df


# --------------------------------------------------------------------------- on a publication

_INEQUALITY_STATS = (
    "min_value",
    "max_value",
    "mean_value",
    "top_fifth_mean",
    "bottom_fifth_mean",
    "fifth_ratio",
    "coefficient_of_variation",
    "territories_behind_threshold_codes",
)


def apply_secrecy(con, *, publication: str, threshold: int) -> dict[str, int]:
    """Apply secrecy to the marts copied into ``publication`` (a ``db.schema`` prefix), reading
    the measures' rules, the formulas and the geography from the published marts there (see
    Inputs above). Returns counts of hidden cells (primary and total) and of rows touched per
    mart."""
    pub = publication
    rules = MeasureRules.from_frame(
        con.execute(
            f"select measure_code, source, source_column, aggregation, counts_people, part_of "
            f"from {pub}.dim_measures"
        ).df()
    )
    terms = con.execute(
        f"select scheme_id, indicator_code, term_role as role, measure_code as measure, "
        f"structure_types, publics, action_codes as actions from {pub}.dim_indicator_terms"
    ).df()
    indicators = con.execute(
        f"select scheme_id, indicator_code, has_denominator, share_level, "
        f"change_since_baseline from {pub}.dim_indicators"
    ).df()
    geography = Geography(
        communes=con.execute(
            f"select scheme_id, commune_code, epci_siren, area_level, area_code "
            f"from {pub}.dim_scheme_communes order by all"
        ).df(),
        priority=con.execute(
            f"select scheme_id, territory_level, territory_code, is_priority "
            f"from {pub}.dim_priority_territories"
        ).df(),
    )
    values = con.execute(f"select * from {pub}.fct_indicator_values").df()
    classes = classify_indicators(terms, indicators, rules)
    protected = protect_indicator_values(values, classes, geography, threshold)
    con.register("_protected", protected)
    try:
        # By name over an empty copy of the table: its column types stay the warehouse's even
        # when no row comes back from pandas (an empty frame's text columns would be NULL-typed,
        # and the site's joins on them would fail).
        con.execute(
            f"create or replace temp table _typed as from {pub}.fct_indicator_values limit 0"
        )
        con.execute(
            f"create or replace table {pub}.fct_indicator_values as "
            "select * from _typed union all by name select * from _protected"
        )
    finally:
        con.unregister("_protected")
        con.execute("drop table if exists _typed")
    report = {
        "threshold": threshold,
        "cells_hidden_numerator": int(protected.secret_numerator.sum()),
        "cells_hidden_denominator": int(protected.secret_denominator.sum()),
        "rows_secret_value": int(protected.secret_value.sum()),
    }
    hidden_values = f"(select * from {pub}.fct_indicator_values where secret_value)"
    # Priority rule values are indicator values of the rule's year.
    report["priority_rows"] = _update(
        con,
        f"""update {pub}.dim_priority_territories as d set rule_value = null
        from {hidden_values} as v
        where v.scheme_id = d.scheme_id and v.indicator_code = d.rule_indicator_code
          and v.territory_level = d.territory_level and v.territory_code = d.territory_code
          and v.period = cast(d.rule_year as varchar)""",
    )
    # Inequality statistics of a level are computed over every territory's value, hidden ones
    # too; min and max would give one away. The group values are rows of the fact table.
    stats = ", ".join(f"{c} = null" for c in _INEQUALITY_STATS)
    report["inequality_rows"] = _update(
        con,
        f"""update {pub}.fct_territorial_inequality as i set {stats}
        where exists (select 1 from {hidden_values} as v
          where v.scheme_id = i.scheme_id and v.indicator_code = i.indicator_code
            and v.territory_level = i.territory_level and v.period = i.period)""",
    )
    report["inequality_rows"] += _update(
        con,
        f"""update {pub}.fct_territorial_inequality as i
        set priority_value = null, non_priority_value = null, priority_gap = null
        where exists (select 1 from {hidden_values} as v
          where v.scheme_id = i.scheme_id and v.indicator_code = i.indicator_code
            and v.territory_level in ('prioritaire', 'hors_prioritaire')
            and v.period = i.period)""",
    )
    # Progress roll-ups are weighted means of the area's indicator progress: one hidden
    # progress could be solved for from the mean and the others, so the mean goes too.
    secret_label = vocabulary.label("progress_statuses", SECRET_STATUS).replace("'", "''")
    secret = (
        "progress = null, expected_progress = null, "
        f"status = '{SECRET_STATUS}', status_label = '{secret_label}'"
    )
    report["action_rows"] = _update(
        con,
        f"""update {pub}.fct_action_progress as a set {secret}
        where exists (select 1 from {hidden_values} as v
          join {pub}.dim_indicators as d using (scheme_id, indicator_code)
          where v.scheme_id = a.scheme_id and d.action_code = a.action_code
            and v.territory_level in ('departement', 'perimetre')
            and v.period_type = 'year' and v.year = a.year)""",
    )
    report["axis_rows"] = _update(
        con,
        f"""update {pub}.fct_axis_progress as x set {secret}
        where exists (select 1 from {pub}.fct_action_progress as a
          where a.scheme_id = x.scheme_id and a.axis_code = x.axis_code and a.year = x.year
            and a.status = '{SECRET_STATUS}')""",
    )
    report["scheme_rows"] = _update(
        con,
        f"""update {pub}.fct_scheme_progress as s set {secret}
        where exists (select 1 from {pub}.fct_axis_progress as x
          where x.scheme_id = s.scheme_id and x.year = s.year
            and x.status = '{SECRET_STATUS}')""",
    )
    report.update(_hide_grades(con, pub))
    return report


def _hide_grades(con, pub: str) -> dict[str, int]:
    """A grade whose base or latest value is hidden would give it back (the progress value and
    the base solve for the value): its figures go; a roll-up mean over it goes too."""
    label = vocabulary.label("grading_statuses", SECRET_STATUS).replace("'", "''")
    secret = f"grading_status = '{SECRET_STATUS}', grading_status_label = '{label}'"
    counts = {
        "grading_rows": _update(
            con,
            f"""update {pub}.fct_indicator_grading as g set baseline_value = null,
              latest_value = null, progress_value = null, score = null, {secret}
            where exists (select 1 from {pub}.fct_indicator_values as v
              where v.scheme_id = g.scheme_id and v.indicator_code = g.indicator_code
                and v.territory_level = g.territory_level and v.territory_code = g.territory_code
                and v.period_type = 'year'
                and ((v.secret_value and v.year = g.latest_year) or v.secret_baseline))""",
        )
    }
    hidden = (
        f"(select g.*, d.action_code, d.axis_code from {pub}.fct_indicator_grading as g "
        f"join {pub}.dim_indicators as d using (scheme_id, indicator_code) "
        f"where g.grading_status = '{SECRET_STATUS}' "
        "and g.territory_level in ('departement', 'perimetre'))"
    )
    member = {"action": "h.action_code", "axis": "h.axis_code", "scheme": "h.scheme_id"}
    counts["grading_rollup_rows"] = sum(
        _update(
            con,
            f"""update {pub}.fct_grading_rollups as r set score = null, {secret}
            where r.rollup_level = '{level}' and exists (select 1 from {hidden} as h
              where h.scheme_id = r.scheme_id and {code} = r.rollup_code)""",
        )
        for level, code in member.items()
    )
    return counts


def _update(con, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
