"""Childcare in a demo département: structures opened over the years, their places and hours.

``childcare`` in a ``sources/demo/<département>.yaml`` says which structures a commune has in the
first year (by its population), which open later, and who declares what: the partner sending
``structures`` (crèches, relais, lieux d'accueil enfants-parents, social centres, home care and
their hours), ``leisure`` (accueils de loisirs), ``childminders`` (one row per commune) and
``school`` (2-year-olds at school, one row per commune). Its ``anomalies`` are figures a reviewer
should question, each planted so that one quality rule of ``sources/quality_rules.yaml`` fires.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd

from orchestration import territories

EAJE = ("EAJE_COLLECTIF", "EAJE_FAMILIAL", "EAJE_PARENTAL", "MICRO_CRECHE")
_PREFIX = {"EAJE_COLLECTIF": "EAJE", "EAJE_FAMILIAL": "CRF", "MICRO_CRECHE": "MC"}
# Opening hours a day of a crèche, and days open per month: the capacity attendance is
# measured against.
_HOURS_A_DAY, _DAYS_A_MONTH = 11, (19, 22)
# The roles declaring one row per commune: the type and code prefix of their rows.
_PER_COMMUNE = {
    "childminders": ("ASSISTANT_MATERNEL", "AM"),
    "school": ("PRESCOLARISATION", "ECOLE"),
    "home_care": ("GARDE_DOMICILE", "GAD"),
}


@dataclass(frozen=True)
class Structure:
    code: str
    type: str
    commune: str
    places: int  # in the year it opened; crèches grow 2 % a year (micro-crèches stay at 10)
    opened: int
    role: str  # "structures" or "leisure": which partner declares it


def _growth(year: int, first_year: int) -> float:
    return 1 + 0.02 * (year - first_year)


class Childcare:
    """The structures and per-commune rates of one département, drawn once from its spec."""

    def __init__(self, communes: pd.DataFrame, spec: dict, years: list[int], rng: random.Random):
        self.communes, self.spec, self.first_year, self.rng = communes, spec, years[0], rng
        self.structures = _structures(communes, spec, years, rng)
        self.anomalies = _Anomalies(spec.get("anomalies", []), {s.code for s in self.structures})
        # Each commune keeps its own share of children covered, year after year.
        self.rates = {
            role: {c: rng.uniform(*spec[role]["rate"]) for c in communes["commune_code"]}
            for role in ("childminders", "school", "home_care")
            if role in spec
        }

    def placements(self, roles: list[str], year: int) -> list[list[str]]:
        """The placements rows a partner holding ``roles`` declares for ``year``."""
        growth = _growth(year, self.first_year)
        rows = []
        for role in roles:
            if role in ("structures", "leisure"):
                rows += self._structure_rows(role, year, growth)
            if role in self.rates:
                rows += self._commune_rows(role, year, growth)
        return rows

    def _structure_rows(self, role: str, year: int, growth: float) -> list[list[str]]:
        rng, rows = self.rng, []
        for s in self.structures:
            if s.role != role or s.opened > year:
                continue
            places = s.places if s.type == "MICRO_CRECHE" else round(s.places * growth)
            enrolled = round(places * rng.uniform(1.1, 1.5))
            atypical = s.type in EAJE and rng.random() < 0.12
            places, enrolled = self.anomalies.placements(s.code, year, places, enrolled)
            rows.append(
                [str(year), s.code, s.type, s.commune, str(places), str(enrolled)]
                + [str(round(enrolled * rng.uniform(0.0, 0.04)))]
                + [str(round(enrolled * rng.uniform(0.08, 0.3))), "oui" if atypical else "non"]
            )
        return rows

    def _commune_rows(self, role: str, year: int, growth: float) -> list[list[str]]:
        """One row per commune: places for its share of the age band the role serves."""
        rule = self.spec[role]
        kind, prefix = _PER_COMMUNE[role]
        rows = []
        for c in self.communes.itertuples():
            pop = int(c.population)
            if pop < rule.get("from", 0):
                continue
            children = pop * territories.AGE_BAND_SHARES[rule["of"]]
            places = round(children * self.rates[role][c.commune_code] * growth)
            if places <= 0:
                continue
            enrolled = places if role == "school" else round(places * 1.2)
            rows.append(
                [str(year), f"{prefix}-{c.commune_code}", kind, c.commune_code, str(places)]
                + [str(enrolled), "", "", "" if role == "school" else "non"]
            )
        return rows

    def attendance(self, period, dialect) -> list[list[str]]:
        """Hours of every crèche open in the period's year (capacity × hours × days open)."""
        rng, growth, rows = self.rng, _growth(period.year, self.first_year), []
        for s in self.structures:
            if s.type not in EAJE or s.opened > period.year:
                continue
            places = s.places if s.type == "MICRO_CRECHE" else round(s.places * growth)
            days = sum(rng.randint(*_DAYS_A_MONTH) for _ in period.months)
            theoretical = places * _HOURS_A_DAY * days
            theoretical *= self.anomalies.hours_times(s.code, period.code)
            attended = theoretical * rng.uniform(0.62, 0.82)
            billed = attended * rng.uniform(1.02, 1.14)
            rows.append(
                [dialect.period(period.code), s.code, dialect.number(theoretical)]
                + [dialect.number(attended, 1), dialect.number(billed, 1), str(days)]
            )
        return rows


class _Anomalies:
    """The planted figures of a spec's ``anomalies``, applied after the random draws so that
    every other figure of the demo stays the same: ``places_times`` (a structure's places, and
    so its children, typed that many times too high in ``year``), ``enrolled_per_place``
    (children enrolled per place in ``year``) and ``hours_times`` (every hour of ``period``,
    theoretical, attended and billed, times its usual figure: the file stays consistent in
    itself, only the structure's places show it cannot be). ``rule`` names the quality rule
    each one is meant to fire."""

    def __init__(self, specs: list[dict], structures: set[str]):
        unknown = sorted({a["structure"] for a in specs} - structures)
        if unknown:
            raise ValueError(f"demo: anomalies on structures the demo has not: {unknown}")
        self.specs = specs

    def _find(self, structure: str, key: str, when: str, value) -> dict | None:
        return next(
            (
                a
                for a in self.specs
                if a["structure"] == structure and key in a and a[when] == value
            ),
            None,
        )

    def placements(self, structure: str, year: int, places: int, enrolled: int) -> tuple[int, int]:
        jump = self._find(structure, "places_times", "year", year)
        if jump:
            places, enrolled = places * jump["places_times"], enrolled * jump["places_times"]
        crowded = self._find(structure, "enrolled_per_place", "year", year)
        if crowded:
            enrolled = places * crowded["enrolled_per_place"]
        return places, enrolled

    def hours_times(self, structure: str, period: str) -> float:
        over = self._find(structure, "hours_times", "period", period)
        return over["hours_times"] if over else 1.0


def _structures(communes: pd.DataFrame, spec: dict, years: list[int], rng) -> list[Structure]:
    """Every collective structure of the département, with the year it opened."""
    first = years[0]
    out: list[Structure] = []
    for row in communes.itertuples():
        pop = int(row.population)
        for rule in spec["first_year"]:
            if pop < rule["from"] or pop >= rule.get("below", float("inf")):
                continue
            if "chance" in rule and rng.random() >= rule["chance"]:
                continue
            out.append(_new(rule["type"], row, _places(rule, pop, rng), first, 1))
    new = spec.get("new_micro_creches")
    if new:
        candidates = [
            r for r in communes.itertuples() if new["from"] <= int(r.population) < new["below"]
        ]
        candidates.sort(key=lambda r: (-int(r.population), r.commune_code))
        for i, year in enumerate(years[1:]):
            for row in candidates[i * new["per_year"] : (i + 1) * new["per_year"]]:
                out.append(_new("MICRO_CRECHE", row, 10, year, 9))
    for opening in spec.get("openings", []):
        out += _openings(opening, communes, out)
    return out


def _places(rule: dict, population: int, rng: random.Random) -> int:
    places = rule.get("places")
    if places is None:
        return 0  # relais, lieux d'accueil enfants-parents, social centres: no capacity
    if isinstance(places, list):
        return rng.randint(*places)
    children = population * territories.AGE_BAND_SHARES[places["per_child"]]
    return max(places["min"], round(children * places["rate"]))


def _new(kind: str, commune, places: int, opened: int, number: int) -> Structure:
    code = f"{_PREFIX.get(kind, kind)}-{commune.commune_code}-{number:02d}"
    role = "leisure" if kind == "ALSH" else "structures"
    return Structure(code, kind, commune.commune_code, places, opened, role)


def _openings(opening: dict, communes: pd.DataFrame, existing: list[Structure]) -> list[Structure]:
    """Structures of one type opened in a year where there was none: in the most populous
    communes of an EPCI (``epci``), or in the main commune of each of the most populous EPCI
    without one (``uncovered_epci``)."""
    kind, count = opening["type"], opening.get("count", 1)
    has = {s.commune for s in existing if s.type == kind}
    ranked = list(
        communes.sort_values(["population", "commune_code"], ascending=[False, True]).itertuples()
    )
    if "epci" in opening:
        picks = [r for r in ranked if r.epci_siren == opening["epci"] and r.commune_code not in has]
    else:
        covered = {r.epci_siren for r in ranked if r.commune_code in has}
        sizes: dict[str, int] = {}
        for r in ranked:
            if r.epci_siren not in covered:
                sizes[r.epci_siren] = sizes.get(r.epci_siren, 0) + int(r.population)
        chosen = sorted(sizes, key=lambda e: (-sizes[e], e))
        picks = [next(r for r in ranked if r.epci_siren == e) for e in chosen]
    return [_new(kind, r, opening.get("places", 0), opening["year"], 5) for r in picks[:count]]
