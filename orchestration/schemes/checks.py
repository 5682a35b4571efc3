"""Cross-reference checks of one scheme: its codes, period, partners, formulas and targets.

A scheme that parses (:mod:`.models`) is checked against the vocabulary, the measures and the
partner registry; every problem is an :class:`~.yaml_reading.Issue` located in its file.
"""

from __future__ import annotations

from orchestration import vocabulary
from orchestration.schemes.codes import (
    CODE_RE,
    DEPARTEMENT_RE,
    EPCI_RE,
    SLUG_RE,
    bad_departement,
    code_problem,
    territory_problem,
)
from orchestration.schemes.models import FILTER_NAMES, Indicator, Measure, Partner, Scheme, Term
from orchestration.schemes.yaml_reading import Document, Issue, Loc, duplicates


class SchemeChecker:
    """Cross-reference checks of one parsed scheme against the registries."""

    def __init__(
        self,
        doc: Document,
        scheme: Scheme,
        measures: dict[str, Measure],
        partners: dict[str, Partner],
    ):
        self.doc, self.scheme = doc, scheme
        self.measures, self.partners = measures, partners
        self.issues: list[Issue] = []
        self.departement_ok = True

    def add(self, loc: Loc, message: str) -> None:
        self.issues.append(self.doc.issue(loc, message))

    def run(self) -> list[Issue]:
        s = self.scheme
        if not SLUG_RE.match(s.id):
            self.add(("id",), "use lower-case letters, digits and hyphens (e.g. landes-2016-2018)")
        elif s.id != self.doc.file.stem:
            self.add(("id",), f"must match the file name ({self.doc.file.stem}.yaml)")
        self._check_code(("kind",), s.kind, "scheme_kinds", "scheme kind")
        self.departement_ok = departement_ok = bool(DEPARTEMENT_RE.match(s.departement))
        if not departement_ok:
            self.add(("departement",), bad_departement(s.departement))
        self._check_period()
        if departement_ok:
            for i, code in enumerate(s.perimeter):
                problem = territory_problem(code, s.departement)
                if problem:
                    self.add(("perimeter", i), problem)
        self.issues += duplicates(
            [(("perimeter", i), c) for i, c in enumerate(s.perimeter)], "territory", self.doc
        )
        if not s.signatories:
            self.add(("signatories",), "list at least one signatory")
        for i, code in enumerate(s.signatories):
            self._check_partner(("signatories", i), code)
        self.issues += duplicates(
            [(("signatories", i), c) for i, c in enumerate(s.signatories)], "signatory", self.doc
        )
        self._check_axes()
        self._check_indicators()
        self._check_priority_rule()
        return self.issues

    def _check_code(self, loc: Loc, value: str, vocabulary_name: str, what: str) -> None:
        if problem := code_problem(value, vocabulary.codes(vocabulary_name), what):
            self.add(loc, problem)

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
            if not CODE_RE.match(axis.code):
                self.add(("axes", i, "code"), "use upper-case letters, digits, '-' and '.'")
            if not axis.actions:
                self.add(("axes", i, "actions"), "list at least one action")
            for j, action in enumerate(axis.actions):
                loc = ("axes", i, "actions", j)
                action_codes.append(((*loc, "code"), action.code))
                if not CODE_RE.match(action.code):
                    self.add((*loc, "code"), "use upper-case letters, digits, '-' and '.'")
                self._check_partner((*loc, "pilot"), action.pilot)
                for k, code in enumerate(action.partners):
                    self._check_partner((*loc, "partners", k), code)
                self.issues += duplicates(
                    [((*loc, "partners", k), c) for k, c in enumerate(action.partners)],
                    "partner",
                    self.doc,
                )
        self.issues += duplicates(axis_codes, "axis code", self.doc)
        self.issues += duplicates(action_codes, "action code", self.doc)
        self._check_milestones()

    def _check_milestones(self) -> None:
        """Codes unique in the scheme, labels given, due dates written right and in the period."""
        s, codes = self.scheme, []
        period_ok = not any(issue.path.startswith("period") for issue in self.issues)
        for i, axis in enumerate(s.axes):
            for j, action in enumerate(axis.actions):
                for k, milestone in enumerate(action.jalons):
                    loc = ("axes", i, "actions", j, "jalons", k)
                    codes.append(((*loc, "code"), milestone.code))
                    if not CODE_RE.match(milestone.code):
                        self.add((*loc, "code"), "use upper-case letters, digits, '-' and '.'")
                    if not milestone.label.strip():
                        self.add((*loc, "label"), "must not be empty")
                    due = milestone.due_date
                    if due is None:
                        self.add(
                            (*loc, "due"),
                            f"{milestone.due!r} is not a month (YYYY-MM) or a day (YYYY-MM-DD)",
                        )
                    elif period_ok and not s.period.first_day <= due <= s.period.last_day:
                        self.add(
                            (*loc, "due"),
                            f"due {due.isoformat()} outside the scheme's period "
                            f"[{s.period.first_day.isoformat()}, {s.period.last_day.isoformat()}]",
                        )
        self.issues += duplicates(codes, "milestone code", self.doc)

    def _check_indicators(self) -> None:
        s = self.scheme
        self.issues += duplicates(
            [(("indicators", i, "code"), ind.code) for i, ind in enumerate(s.indicators)],
            "indicator code",
            self.doc,
        )
        for i, indicator in enumerate(s.indicators):
            loc = ("indicators", i)
            if not CODE_RE.match(indicator.code):
                self.add((*loc, "code"), "use upper-case letters, digits, '-', '_' and '.'")
            if indicator.action not in s.action_codes:
                self.add((*loc, "action"), f"unknown action {indicator.action!r} in this scheme")
            for field in ("label", "unit", "note"):
                if not getattr(indicator, field).strip():
                    self.add((*loc, field), "must not be empty")
            self._check_code((*loc, "direction"), indicator.direction, "directions", "direction")
            self._check_code(
                (*loc, "method"), indicator.method, "trajectory_methods", "trajectory method"
            )
            if indicator.weight <= 0:
                self.add((*loc, "weight"), "must be greater than 0")
            self._check_limit(loc, indicator)
            self._check_formula(loc, indicator)
            self._check_targets(loc, indicator)

    def _check_limit(self, loc: Loc, indicator: Indicator) -> None:
        """A limit bounds the way the indicator should go: a maximum going up, a minimum down."""
        if indicator.limit is None:
            return
        values = [indicator.baseline.value, *indicator.targets.values()]
        values += [t.value for t in indicator.territory_targets]
        if indicator.direction == "up" and any(v > indicator.limit for v in values):
            self.add((*loc, "limit"), "a limit going up is a maximum: baseline and targets <= it")
        if indicator.direction == "down" and any(v < indicator.limit for v in values):
            self.add((*loc, "limit"), "a limit going down is a minimum: baseline and targets >= it")

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
            self.issues += duplicates(
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
            self.issues += duplicates(
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
            direction = indicator.direction
            if (direction == "up" and final < baseline.value) or (
                direction == "down" and final > baseline.value
            ):
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
            problem = territory_problem(target.territory, self.scheme.departement)
            perimeter = self.scheme.perimeter
            if problem:
                self.add((*t_loc, "territory"), problem)
            elif (
                perimeter
                and EPCI_RE.match(target.territory)
                and (target.territory not in perimeter)
            ):
                self.add((*t_loc, "territory"), "EPCI outside the scheme's perimeter")
            if not baseline.year <= target.year <= period.end:
                self.add((*t_loc, "year"), f"year {target.year} outside {span}")
        self.issues += duplicates(keys, "territory target", self.doc)
