"""An indicator's formula and sources written out in French, for the evaluation's method page.

The texts name measures by their label (``sources/measures.yaml``) and structure types, publics
and kinds of file by their vocabulary label (``sources/vocabulary.yaml``), so they read as the
rest of the publication; actions are named by their code.
"""

from __future__ import annotations

from collections.abc import Sequence

from orchestration import vocabulary
from orchestration.schemes.models import FILTER_NAMES, Formula, Measure, Partner, Term

_FILTER_LABELS = {"structure_types": "types", "publics": "publics", "actions": "actions"}
# Plural of a share level and the agreement of "concerné" with it.
_SHARE_LEVELS = {"commune": ("communes", "concernées"), "epci": ("EPCI", "concernés")}


def filter_labels() -> dict[str, dict[str, str]]:
    """Code -> French label of the filter values that come from a code list."""
    return {name: vocabulary.labels(name) for name in ("structure_types", "publics")}


def source_label(source: str) -> str:
    """How the method page names a source: « fichier des <kind> (<code>) », or a reference."""
    if source in vocabulary.codes("submission_kinds"):
        return f"fichier des {vocabulary.label('submission_kinds', source)} ({source})"
    return vocabulary.label("reference_sources", source)


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
        label = source_label(source)
        if source not in vocabulary.codes("submission_kinds"):
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
