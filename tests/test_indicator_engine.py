"""The indicator engine end to end on a warehouse built by hand, checked against plain Python.

A tiny scheme (eight communes in three EPCI of département 40, one commune outside it) is loaded
from YAML like the shipped ones, the raw tables are written directly into a DuckDB file in
``tmp_path``, and the real ``dbt build`` runs on it. Every row of fct_indicator_values for the
scheme, of the priority territories, of the three progress roll-ups and of the inequality mart
is then compared with values this file computes on its own, from the same small data, with
none of the SQL: sums, rates, coverage shares, changes since the baseline, groups of priority
territories, trajectories, statuses, weighted roll-ups, fifth ratios and coefficients of
variation.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import schemes as scheme_defs
from orchestration import vocabulary
from orchestration.intake.loading import ensure_raw_tables
from orchestration.warehouse import replace_tables
from tests.conftest import dbt_build

# The progress statuses the marts store: codes of sources/vocabulary.yaml, whose labels they carry.
STATUSES = TARGET_MET, ON_TRACK, BEHIND, NO_TARGET, MISSING_DATA, NO_INDICATOR = (
    "target_met",
    "on_track",
    "behind",
    "no_target",
    "missing_data",
    "no_indicator",
)
assert set(STATUSES) <= set(vocabulary.codes("progress_statuses"))
SCHEME = "mini-2016-2017"
DEP = "40"
E1, E2, E3 = "200000001", "200000002", "200000003"

SCHEME_YAML = """
id: mini-2016-2017
kind: sdsf
title: "Schéma miniature"
departement: "40"
period: {start: 2016, end: 2017}
signatories: [CAF40, CD40]
sources: {documents: ["Fixture de test"], note: "Fichier de test."}
axes:
  - code: MIN-1
    title: "Accueil du jeune enfant"
    actions:
      - {code: MIN-1.1, title: "Créer des places", pilot: CAF40}
      - {code: MIN-1.2, title: "Relais et heures", pilot: CAF40}
  - code: MIN-2
    title: "Parents"
    actions:
      - {code: MIN-2.1, title: "Soutenir les parents", pilot: CD40}
      - {code: MIN-2.2, title: "Action sans indicateur", pilot: CD40}
x-formal: &formal [EAJE_COLLECTIF, MICRO_CRECHE, ASSISTANT_MATERNEL]
indicators:
  - code: COV
    label: "Taux de couverture"
    action: MIN-1.1
    unit: "%"
    direction: up
    formula:
      numerator: {measure: places, structure_types: *formal}
      denominator: {measure: enfants_moins_3_ans}
      factor: 100
    baseline: {year: 2015, value: 10}
    targets: {2017: 16}
    weight: 2
    illustrative: true
    note: "Test."
  - code: CREE
    label: "Places créées"
    action: MIN-1.1
    unit: "places"
    direction: up
    formula:
      numerator: {measure: places, structure_types: *formal}
      change_since_baseline: true
    baseline: {year: 2016, value: 0}
    targets: {2017: 10}
    illustrative: true
    note: "Test."
  - code: RPE_EPCI
    label: "Part des EPCI avec un relais"
    action: MIN-1.2
    unit: "%"
    direction: up
    formula:
      numerator: {measure: structures, structure_types: [RPE]}
      share_of_territories: epci
      factor: 100
    baseline: {year: 2015, value: 50}
    targets: {2017: 100}
    illustrative: true
    note: "Test."
  - code: FACT
    label: "Taux de facturation"
    action: MIN-1.2
    unit: "%"
    direction: down
    formula:
      numerator: {measure: heures_facturees, structure_types: [EAJE_COLLECTIF, MICRO_CRECHE]}
      denominator: {measure: heures_realisees, structure_types: [EAJE_COLLECTIF, MICRO_CRECHE]}
      factor: 100
    baseline: {year: 2015, value: 115}
    targets: {2017: 107}
    illustrative: true
    note: "Test."
  - code: PAR
    label: "Parents pour 1 000 enfants"
    action: MIN-2.1
    unit: "pour 1 000 enfants"
    direction: up
    formula:
      numerator: {measure: beneficiaires, publics: [PARENTS], actions: [MIN-2.1]}
      denominator: [{measure: enfants_moins_3_ans}, {measure: enfants_3_5_ans}]
      factor: 1000
    baseline: {year: 2016, value: 20}
    targets: {2017: 30}
    illustrative: true
    note: "Test."
  - code: NB_EVS
    label: "Centres sociaux"
    action: MIN-2.1
    unit: "nombre"
    direction: up
    formula:
      numerator: {measure: structures, structure_types: [CENTRE_SOCIAL]}
    baseline: {year: 2016, value: 1}
    targets: {2017: 2}
    illustrative: true
    note: "Test : aucune donnée, l'indicateur doit apparaître comme manquant."
priority_territories: {indicator: COV, level: epci, below: departement, year: 2016}
"""

# commune -> (département, EPCI); 64001 is outside the scheme and must count nowhere.
COMMUNES = {
    "40001": ("40", E1),
    "40002": ("40", E1),
    "40003": ("40", E1),
    "40004": ("40", E2),
    "40005": ("40", E2),
    "40006": ("40", E2),
    "40007": ("40", E3),
    "40008": ("40", E3),
    "64001": ("64", "200000009"),
}
# children under 3 and aged 3-5 by commune; 40006 has no child under 3 (no rate there)
UNDER_3 = {"40001": 100, "40002": 50, "40003": 50, "40004": 80, "40005": 20, "40006": 0}
UNDER_3 |= {"40007": 60, "40008": 40}
AGED_3_5 = {"40001": 90, "40002": 40, "40003": 50, "40004": 70, "40005": 30, "40006": 10}
AGED_3_5 |= {"40007": 50, "40008": 30}
UNDER_3_2017 = {**UNDER_3, "40001": 120}
# (year, structure, type, commune, places)
PLACEMENTS = [
    (2016, "S1", "EAJE_COLLECTIF", "40001", 20),
    (2016, "S2", "ASSISTANT_MATERNEL", "40002", 10),
    (2016, "S3", "MICRO_CRECHE", "40004", 10),
    (2016, "S4", "RPE", "40001", 0),
    (2016, "S6", "EAJE_COLLECTIF", "64001", 15),
    (2016, "S8", "ASSISTANT_MATERNEL", "40008", 4),
    (2017, "S1", "EAJE_COLLECTIF", "40001", 26),
    (2017, "S2", "ASSISTANT_MATERNEL", "40002", 10),
    (2017, "S3", "MICRO_CRECHE", "40004", 10),
    (2017, "S4", "RPE", "40001", 0),
    (2017, "S5", "RPE", "40005", 0),
    (2017, "S6", "EAJE_COLLECTIF", "64001", 15),
    (2017, "S7", "ASSISTANT_MATERNEL", "40003", 6),
    (2017, "S8", "ASSISTANT_MATERNEL", "40008", 4),
]
# (year, quarter, structure, theoretical, attended, billed)
ATTENDANCE = [
    (year, q, s, 10000.0 if s == "S1" else 2000.0, att, bill)
    for year, quarters in ((2016, (1, 2, 3, 4)), (2017, (1, 2)))
    for q in quarters
    for s, att, bill in (
        ("S1", 7000.0 + 100 * q, 7600.0 + 150 * q),
        ("S3", 1500.0 + 10 * q, 1650.0 - 20 * q),
        ("S6", 9000.0, 9900.0),
    )
]
# (year, action, territory, public, count): 200000002 is a whole EPCI, reported as such
BENEFICIARIES = [
    (2016, "MIN-2.1", "40001", "PARENTS", 12),
    (2016, "MIN-2.1", E2, "PARENTS", 6),
    (2017, "MIN-2.1", "40001", "PARENTS", 15),
    (2017, "MIN-2.1", "40004", "PARENTS", 5),
    (2017, "MIN-2.1", "40004", "FAMILLES", 50),
]


# --------------------------------------------------------------------------- the warehouse


def _write_warehouse(path: Path, scheme_file: Path) -> None:
    measures, partners = scheme_defs.load_measures(), scheme_defs.load_partners()
    scheme = scheme_defs.load_scheme(scheme_file, measures=measures, partners=partners)
    frames = scheme_defs.scheme_tables([scheme], measures, partners)
    received = datetime(2018, 3, 1)
    placements = pd.DataFrame(
        [
            ("sub-p", "CAF40", received, i + 2, str(y), s, t, c, p, p + 2, 0, 1, False)
            + ("year", y, date(y, 1, 1), date(y, 12, 31))
            for i, (y, s, t, c, p) in enumerate(PLACEMENTS)
        ],
        columns=[
            "submission_id", "partner_code", "received_at", "line", "period",
            "structure_code", "structure_type", "commune_code", "places", "children_enrolled",
            "children_disabled", "children_low_income", "atypical_hours", "period_type",
            "period_year", "period_start", "period_end",
        ],
    )  # fmt: skip
    attendance = pd.DataFrame(
        [
            (f"sub-a-{y}-{q}", "CAF40", received, i + 2, f"{y}-T{q}", s, th, att, bill, 60)
            + ("quarter", y, date(y, 3 * q - 2, 1), date(y, 3 * q, 28))
            for i, (y, q, s, th, att, bill) in enumerate(ATTENDANCE)
        ],
        columns=[
            "submission_id", "partner_code", "received_at", "line", "period",
            "structure_code", "theoretical_hours", "attended_hours", "billed_hours",
            "opening_days", "period_type", "period_year", "period_start", "period_end",
        ],
    )  # fmt: skip
    beneficiaries = pd.DataFrame(
        [
            (f"sub-b-{y}", "CD40", received, i + 2, str(y), a, t, pub, n, 0)
            + ("year", y, date(y, 1, 1), date(y, 12, 31))
            for i, (y, a, t, pub, n) in enumerate(BENEFICIARIES)
        ],
        columns=[
            "submission_id", "partner_code", "received_at", "line", "period", "action_code",
            "territory_code", "public", "count", "low_income_count", "period_type",
            "period_year", "period_start", "period_end",
        ],
    )  # fmt: skip
    population = pd.DataFrame(
        [
            (code, year, band, counts[code], "test")
            for year in (2016, 2017)
            for band, counts in (
                ("enfants_moins_3_ans", UNDER_3_2017 if year == 2017 else UNDER_3),
                ("enfants_3_5_ans", AGED_3_5),
            )
            for code in counts
        ],
        columns=["commune_code", "year", "age_band", "children", "source"],
    )
    communes = pd.DataFrame(
        [
            (code, f"Commune {code}", dep, "75", epci, 1000, "commune", None)
            for code, (dep, epci) in COMMUNES.items()
        ],
        columns=[
            "commune_code", "name", "departement_code", "region_code", "epci_siren",
            "population", "commune_type", "parent_commune_code",
        ],
    )  # fmt: skip
    epcis = sorted({epci for _, epci in COMMUNES.values()})
    frames |= {
        "vocabulary": vocabulary.vocabulary_table(),
        "communes": communes,
        "epci": pd.DataFrame(
            [(e, f"CC {e}", "CC", 3000) for e in epcis],
            columns=["epci_siren", "name", "epci_type", "population"],
        ),
        "epci_members": pd.DataFrame(
            [(epci, code) for code, (_, epci) in COMMUNES.items()],
            columns=["epci_siren", "commune_code"],
        ),
        "departements": pd.DataFrame(
            [("40", "Landes", "75"), ("64", "Pyrénées-Atlantiques", "75")],
            columns=["departement_code", "name", "region_code"],
        ),
        "child_population": population,
        "placements": placements,
        "attendance": attendance,
        "beneficiaries": beneficiaries,
    }
    with duckdb.connect(str(path)) as con:
        replace_tables(
            con,
            frames,
            column_types={**scheme_defs.TABLE_COLUMNS, "vocabulary": vocabulary.TABLE_COLUMNS},
        )
        # The submission tables the run creates, action reports among them (none here).
        ensure_raw_tables(con)


# --------------------------------------------------------------------------- plain Python

# measure -> (source, column, aggregation) as sources/measures.yaml declares them
MEASURES = {
    code: (m.source, m.column, m.aggregation) for code, m in scheme_defs.load_measures().items()
}


def _facts() -> list[dict]:
    """Every fact: measure, fact level and code, filters, year, quarter (None when yearly)."""
    facts = []
    types = {}
    for year, structure, kind, commune, places in PLACEMENTS:
        types[structure] = (kind, commune)
        base = dict(level="commune", code=commune, type=kind, year=year, quarter=None)
        facts.append(dict(base, measure="places", value=places))
        facts.append(dict(base, measure="structures", value=1.0))
    for year, quarter, structure, _, attended, billed in ATTENDANCE:
        kind, commune = types[structure]
        base = dict(level="commune", code=commune, type=kind, year=year, quarter=quarter)
        facts.append(dict(base, measure="heures_realisees", value=attended))
        facts.append(dict(base, measure="heures_facturees", value=billed))
    for year, action, territory, public, count in BENEFICIARIES:
        level = "epci" if len(territory) == 9 else "commune"
        facts.append(
            dict(
                level=level,
                code=territory,
                action=action,
                public=public,
                year=year,
                quarter=None,
                measure="beneficiaires",
                value=count,
            )
        )
    for year in (2016, 2017):
        under_3 = UNDER_3_2017 if year == 2017 else UNDER_3
        for band, counts in (("enfants_moins_3_ans", under_3), ("enfants_3_5_ans", AGED_3_5)):
            for code, n in counts.items():
                facts.append(
                    dict(level="commune", code=code, year=year, quarter=None, measure=band, value=n)
                )
    return facts


def _territories() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Each territory of the scheme -> the (fact level, fact code) pairs that count for it."""
    members: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for code, (dep, epci) in COMMUNES.items():
        if dep != DEP:
            continue
        members[("commune", code)].add(("commune", code))
        for territory in (("epci", epci), ("departement", DEP)):
            members[territory] |= {("commune", code), ("epci", epci)}
    return dict(members)


def _matches(term, fact) -> bool:
    return (
        term.measure == fact["measure"]
        and (term.structure_types is None or fact.get("type") in term.structure_types)
        and (term.publics is None or fact.get("public") in term.publics)
        and (term.actions is None or fact.get("action") in term.actions)
    )


def _term_sum(terms, facts, fact_codes, period) -> float | None:
    """Sum of the facts the terms select in a territory and period; None when none match."""
    year, quarter = period
    values = [
        f["value"]
        for t in terms
        for f in facts
        if _matches(t, f)
        and (f["level"], f["code"]) in fact_codes
        and f["year"] == year
        and (quarter is None or f["quarter"] == quarter)
    ]
    return float(sum(values)) if values else None


def _interpolate(y0, v0, y1, v1, year):
    if y1 == y0:
        return v0
    return v0 + (v1 - v0) * (year - y0) / (y1 - y0)


def _expected_values():
    scheme = scheme_defs.load_scheme(_expected_values.scheme_file)
    facts, territories = _facts(), _territories()
    scheme_codes = set().union(*territories.values())
    start, end = scheme.period.start, scheme.period.end
    raw: dict[tuple, tuple[float, float | None]] = {}  # (ind, level, code, period) -> (num, den)
    quarterly = {
        i.code
        for i in scheme.indicators
        if all(
            MEASURES[t.measure][0] == "attendance" and MEASURES[t.measure][2] == "flow"
            for t in i.formula.numerator + (i.formula.denominator or [])
        )
    }
    periods_of: dict[str, list[tuple[int, int | None]]] = {}
    for ind in scheme.indicators:
        numerator_facts = [
            f
            for t in ind.formula.numerator
            for f in facts
            if _matches(t, f) and (f["level"], f["code"]) in scheme_codes
        ]
        years = sorted(
            {f["year"] for f in numerator_facts if ind.baseline.year <= f["year"] <= end}
        )
        periods = [(y, None) for y in years]
        if ind.code in quarterly:
            periods += sorted(
                {(f["year"], f["quarter"]) for f in numerator_facts if f["year"] in years}
            )
        periods_of[ind.code] = periods
        for territory, codes in territories.items():
            for period in periods:
                num = _term_sum(ind.formula.numerator, facts, codes, period) or 0.0
                den = (
                    _term_sum(ind.formula.denominator, facts, codes, period)
                    if ind.formula.denominator
                    else None
                )
                raw[(ind.code, *territory, period)] = (num, den)

    def share(ind, territory, period):
        level = ind.formula.share_of_territories
        inside = [
            t for t in territories if t[0] == level and territories[t] <= territories[territory]
        ]
        if not inside:
            return None
        covered = sum(1 for t in inside if raw[(ind.code, *t, period)][0] > 0)
        return float(covered), float(len(inside))

    values: dict[tuple, tuple[float, float | None]] = {}
    for (code, level, tcode, period), pair in raw.items():
        ind = next(i for i in scheme.indicators if i.code == code)
        if ind.formula.share_of_territories:
            pair = share(ind, (level, tcode), period)
            if pair is None:
                continue
        values[(code, level, tcode, period)] = pair

    # priority territories: EPCI whose COV in 2016 is below the département's
    rule = scheme.priority_territories
    cov = next(i for i in scheme.indicators if i.code == rule.indicator)

    def value_of(ind, key_num_den, baseline_num):
        num, den = key_num_den
        f = ind.formula
        if f.change_since_baseline:
            return None if baseline_num is None else f.factor * (num - baseline_num)
        if f.denominator or f.share_of_territories:
            return f.factor * num / den if den is not None and den > 0 else None
        return f.factor * num

    def simple_value(ind, key):
        return value_of(ind, values[key], None)

    threshold = simple_value(cov, (cov.code, "departement", DEP, (rule.year, None)))
    priority = {}
    for territory in territories:
        if territory[0] == rule.level:
            v = simple_value(cov, (cov.code, *territory, (rule.year, None)))
            priority[territory[1]] = (v, threshold, v is not None and v < threshold)
    for ind in scheme.indicators:
        for period in periods_of[ind.code]:
            if period[1] is not None:
                continue
            for group, flag in (("prioritaire", True), ("hors_prioritaire", False)):
                pairs = [
                    values[(ind.code, rule.level, code, period)]
                    for code, (_, _, is_p) in priority.items()
                    if is_p == flag
                ]
                if not pairs:
                    continue
                dens = [d for _, d in pairs if d is not None]
                values[(ind.code, group, group, period)] = (
                    sum(n for n, _ in pairs),
                    sum(dens) if dens else None,
                )

    rows = {}
    for (code, level, tcode, period), pair in values.items():
        ind = next(i for i in scheme.indicators if i.code == code)
        year, quarter = period
        baseline_key = (code, level, tcode, (ind.baseline.year, None))
        baseline_num = values[baseline_key][0] if baseline_key in values else None
        value = value_of(ind, pair, baseline_num)
        own_baseline = (
            value_of(ind, values[baseline_key], baseline_num) if baseline_key in values else None
        )
        base = final = target = expected = None
        if level == "departement":
            points = sorted({ind.baseline.year: ind.baseline.value, **ind.targets}.items())
            (first_year, first_value), (final_year, final) = points[0], points[-1]
            prev = max(p for p in points if p[0] <= year)
            nxt = min(p for p in points if p[0] >= year)
            target = _interpolate(*prev, *nxt, year)
            expected = (
                final
                if year >= final_year
                else _interpolate(first_year, first_value, final_year, final, year)
            )
            base = ind.baseline.value
        else:
            base = own_baseline
        progress = expected_progress = None
        if final is not None and base is not None and final != base:
            if value is not None:
                progress = (value - base) / (final - base)
            expected_progress = (expected - base) / (final - base)
        sense = -1 if ind.direction == "down" else 1
        if value is None:
            status = MISSING_DATA
        elif final is None:
            status = NO_TARGET
        elif sense * (value - final) >= 0:
            status = TARGET_MET
        elif sense * (value - expected) >= 0:
            status = ON_TRACK
        else:
            status = BEHIND
        label = str(year) if quarter is None else f"{year}-T{quarter}"
        rows[(code, level, tcode, label)] = dict(
            value=value,
            numerator=pair[0],
            denominator=pair[1],
            baseline_value=base,
            target_value=target,
            expected_value=expected,
            progress=progress,
            expected_progress=expected_progress,
            status=status,
        )
    return scheme, rows, priority, (start, end)


def _rollups(scheme, rows, years):
    def status(expected_count, progress, expected):
        if expected_count == 0:
            return NO_INDICATOR
        if progress is None:
            return MISSING_DATA
        if progress >= 1:
            return TARGET_MET
        return ON_TRACK if progress >= expected else BEHIND

    actions, axes, schemes = {}, {}, {}
    for year in range(years[0], years[1] + 1):
        axis_rows = []
        for axis in scheme.axes:
            action_rows = []
            for action in axis.actions:
                inds = [i for i in scheme.indicators if i.action == action.code]
                got = []
                for i in inds:
                    row = rows.get((i.code, "departement", DEP, str(year)))
                    if row and row["progress"] is not None:
                        got.append((i, min(row["progress"], 1), min(row["expected_progress"], 1)))
                weight = sum(i.weight for i, _, _ in got)
                progress = sum(i.weight * p for i, p, _ in got) / weight if got else None
                expected = sum(i.weight * e for i, _, e in got) / weight if got else None
                missing = sorted({i.code for i in inds} - {i.code for i, _, _ in got})
                actions[(action.code, year)] = dict(
                    indicators_expected=len(inds),
                    indicators_with_value=len(got),
                    indicators_missing=len(missing),
                    missing_indicator_codes=", ".join(missing) or None,
                    weight_with_value=weight if got else None,
                    progress=progress,
                    expected_progress=expected,
                    status=status(len(inds), progress, expected),
                    # no milestones in this scheme: an action without indicator is not followed
                    basis="indicators" if inds else "none",
                )
                action_rows.append((action.code, len(inds), len(got), progress, expected))
            followed = [a for a in action_rows if a[1] > 0]
            with_value = [a for a in followed if a[3] is not None]
            progress = statistics.fmean(a[3] for a in with_value) if with_value else None
            expected = statistics.fmean(a[4] for a in with_value) if with_value else None
            axes[(axis.code, year)] = dict(
                actions_expected=len(followed),
                actions_with_value=len(with_value),
                actions_missing=len(followed) - len(with_value),
                missing_action_codes=", ".join(a[0] for a in followed if a[3] is None) or None,
                actions_by_milestones=0,
                actions_not_followed=len(action_rows) - len(followed),
                indicators_expected=sum(a[1] for a in action_rows),
                indicators_with_value=sum(a[2] for a in action_rows),
                progress=progress,
                expected_progress=expected,
                status=status(len(followed), progress, expected),
            )
            axis_rows.append((axis.code, axes[(axis.code, year)]))
        followed = [(c, a) for c, a in axis_rows if a["actions_expected"] > 0]
        with_value = [(c, a) for c, a in followed if a["progress"] is not None]
        progress = statistics.fmean(a["progress"] for _, a in with_value) if with_value else None
        expected = (
            statistics.fmean(a["expected_progress"] for _, a in with_value) if with_value else None
        )
        schemes[(SCHEME, year)] = dict(
            axes_expected=len(followed),
            axes_with_value=len(with_value),
            axes_missing=len(followed) - len(with_value),
            missing_axis_codes=", ".join(c for c, a in followed if a["progress"] is None) or None,
            actions_expected=sum(a["actions_expected"] for _, a in axis_rows),
            actions_with_value=sum(a["actions_with_value"] for _, a in axis_rows),
            indicators_expected=sum(a["indicators_expected"] for _, a in axis_rows),
            indicators_with_value=sum(a["indicators_with_value"] for _, a in axis_rows),
            progress=progress,
            expected_progress=expected,
            status=status(len(followed), progress, expected),
        )
    return actions, axes, schemes


def _inequality(scheme, rows):
    rule = scheme.priority_territories
    by_key = defaultdict(list)
    for (code, level, tcode, period), row in rows.items():
        if level in ("commune", "epci") and row["value"] is not None:
            by_key[(code, level, period)].append((row["value"], tcode))
    out = {}
    for (code, level, period), pairs in by_key.items():
        ind = next(i for i in scheme.indicators if i.code == code)
        values = [v for v, _ in pairs]
        n, mean = len(values), statistics.fmean(values)
        k = n // 5
        low = sorted(pairs)[:k]
        high = sorted(pairs, key=lambda p: (-p[0], p[1]))[:k]
        top = statistics.fmean(v for v, _ in high) if k else None
        bottom = statistics.fmean(v for v, _ in low) if k else None
        is_rate = bool(ind.formula.denominator or ind.formula.share_of_territories)
        area = rows[(code, "departement", DEP, period)]["value"]
        threshold = area if (is_rate or code == rule.indicator) else None
        source = (
            "regle_prioritaire"
            if code == rule.indicator
            else ("valeur_zone_schema" if is_rate else None)
        )
        sense = -1 if ind.direction == "down" else 1
        behind = (
            sorted(t for v, t in pairs if sense * (v - threshold) < 0)
            if threshold is not None
            else None
        )
        groups = {
            g: rows.get((code, g, g, period), {}).get("value")
            for g in ("prioritaire", "hors_prioritaire")
        }
        at_rule_level = level == rule.level
        gap = (
            groups["prioritaire"] - groups["hors_prioritaire"]
            if at_rule_level and None not in groups.values()
            else None
        )
        out[(code, level, period)] = dict(
            territories_with_value=n,
            min_value=min(values),
            max_value=max(values),
            mean_value=mean,
            fifth_size=k,
            top_fifth_mean=top,
            bottom_fifth_mean=bottom,
            fifth_ratio=top / bottom if k and bottom > 0 else None,
            coefficient_of_variation=statistics.pstdev(values) / mean if mean > 0 else None,
            threshold_value=threshold,
            threshold_source=source,
            territories_behind_threshold=len(behind) if behind is not None else None,
            territories_behind_threshold_codes=", ".join(behind) if behind else None,
            priority_value=groups["prioritaire"] if at_rule_level else None,
            non_priority_value=groups["hors_prioritaire"] if at_rule_level else None,
            priority_gap=gap,
        )
    return out


# --------------------------------------------------------------------------- the test


def _same(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return actual == expected


def _compare(name, actual: dict, expected: dict) -> list[str]:
    problems = []
    for key in sorted(set(actual) | set(expected), key=str):
        if key not in actual:
            problems.append(f"{name} {key}: missing row")
        elif key not in expected:
            problems.append(f"{name} {key}: unexpected row {actual[key]}")
        else:
            for column, want in expected[key].items():
                got = actual[key][column]
                if not _same(got, want):
                    problems.append(f"{name} {key} {column}: got {got!r}, expected {want!r}")
    return problems


def _fetch(con, sql: str, key_columns: int) -> dict:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return {
        tuple(row[:key_columns]): dict(zip(names[key_columns:], row[key_columns:], strict=True))
        for row in cursor.fetchall()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("engine")
    scheme_file = tmp / f"{SCHEME}.yaml"
    scheme_file.write_text(SCHEME_YAML, encoding="utf-8")
    _expected_values.scheme_file = scheme_file
    warehouse = tmp / "warehouse.duckdb"
    _write_warehouse(warehouse, scheme_file)
    marts = "+fct_scheme_progress +fct_territorial_inequality +dim_priority_territories"
    result = dbt_build(warehouse, tmp, marts)
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


def test_every_indicator_value_matches_an_independent_computation(built):
    _, rows, _, _ = _expected_values()
    actual = _fetch(
        built,
        f"""
        select indicator_code, territory_level, territory_code, period, value, numerator,
            denominator, baseline_value, target_value, expected_value, progress,
            expected_progress, status, status_label
        from marts.fct_indicator_values where scheme_id = '{SCHEME}'
        """,
        4,
    )
    assert _compare("fct_indicator_values", actual, rows) == []
    labels = vocabulary.labels("progress_statuses")
    assert all(row["status_label"] == labels[row["status"]] for row in actual.values())
    # the data exercise every kind of row the engine makes
    levels = {key[1] for key in actual}
    assert levels == {"commune", "epci", "departement", "prioritaire", "hors_prioritaire"}
    assert ("FACT", "departement", DEP, "2016-T3") in actual
    assert actual[("CREE", "departement", DEP, "2017")]["value"] == 6 + 6  # S1 +6, S7 +6
    # relais in E1 (40001) and E2 (40005), none in E3: 2 EPCI of 3
    assert actual[("RPE_EPCI", "departement", DEP, "2017")]["value"] == pytest.approx(200 / 3)


def test_priority_territories_follow_the_rule(built):
    _, _, priority, _ = _expected_values()
    actual = _fetch(
        built,
        f"""
        select territory_code, rule_value, threshold, is_priority
        from marts.dim_priority_territories where scheme_id = '{SCHEME}'
        """,
        1,
    )
    expected = {
        (code,): dict(rule_value=v, threshold=t, is_priority=p)
        for code, (v, t, p) in priority.items()
    }
    assert _compare("dim_priority_territories", actual, expected) == []
    # 2016: E1 30 places / 200 children = 15 %, E2 10 / 100 = 10 %, E3 4 / 100 = 4 %,
    # département 44 / 400 = 11 %
    assert {code for (code,), row in actual.items() if row["is_priority"]} == {E2, E3}


def test_progress_rolls_up_from_indicators_to_actions_axes_and_scheme(built):
    scheme, rows, _, years = _expected_values()
    actions, axes, schemes = _rollups(scheme, rows, years)
    got_actions = _fetch(
        built,
        f"""
        select action_code, year, * exclude (scheme_id, axis_code, action_code, year)
        from marts.fct_action_progress where scheme_id = '{SCHEME}'
        """,
        2,
    )
    got_axes = _fetch(
        built,
        f"""
        select axis_code, year, * exclude (scheme_id, axis_code, year)
        from marts.fct_axis_progress where scheme_id = '{SCHEME}'
        """,
        2,
    )
    got_schemes = _fetch(
        built,
        "select scheme_id, year, * exclude (scheme_id, year) from marts.fct_scheme_progress",
        2,
    )
    got_schemes = {key: row for key, row in got_schemes.items() if key[0] == SCHEME}
    problems = _compare("fct_action_progress", got_actions, actions)
    problems += _compare("fct_axis_progress", got_axes, axes)
    problems += _compare("fct_scheme_progress", got_schemes, schemes)
    assert problems == []
    # what is missing is stated: NB_EVS has no data at all, MIN-2.2 no indicator
    assert got_actions[("MIN-2.1", 2017)]["missing_indicator_codes"] == "NB_EVS"
    assert got_actions[("MIN-2.2", 2017)]["status"] == NO_INDICATOR
    # every status is labelled from the vocabulary, as the site and the exports show it
    for got in (got_actions, got_axes, got_schemes):
        for row in got.values():
            assert row["status_label"] == vocabulary.label("progress_statuses", row["status"])


def test_territorial_inequality_matches_an_independent_computation(built):
    scheme, rows, _, _ = _expected_values()
    expected = _inequality(scheme, rows)
    actual = _fetch(
        built,
        f"""
        select indicator_code, territory_level, period,
            * exclude (scheme_id, indicator_code, territory_level, period, period_type, year)
        from marts.fct_territorial_inequality where scheme_id = '{SCHEME}'
        """,
        3,
    )
    assert _compare("fct_territorial_inequality", actual, expected) == []
    assert actual[("COV", "commune", "2017")]["fifth_size"] == 1
