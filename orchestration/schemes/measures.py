"""``measures.yaml`` of the deployment (``SDSF_SOURCES``): the measures formulas may use, checked,
with their publication rules.

A measure reads one column of one source (a kind of partner file, or a reference file) and adds
up over a year (its aggregation). ``counts_people`` and ``part_of`` say how it is published: the
secrecy of the publication reads them (from the mart ``dim_measures``).
"""

from __future__ import annotations

from pathlib import Path

from orchestration import vocabulary
from orchestration.schemes.codes import MEASURE_RE, code_problem, measure_sources
from orchestration.schemes.models import Measure, MeasuresFile
from orchestration.schemes.yaml_reading import Document, Issue, SchemeError, duplicates, read_model
from orchestration.settings import deployment

# The filters whose values come from a code list (actions are those of each scheme).
_FILTER_VOCABULARIES = ("structure_types", "publics")


def load_measures(path: Path | str | None = None) -> dict[str, Measure]:
    """Read and check measures.yaml (by default the deployment's); return the measures by code,
    filter values attached."""
    document, parsed = read_model(Path(path or deployment().measures), MeasuresFile)
    issues = _check_measures(document, parsed)
    if issues:
        raise SchemeError(issues)
    accepted = {name: frozenset(vocabulary.codes(name)) for name in _FILTER_VOCABULARIES}
    measures = {}
    for measure in parsed.measures:
        measure._accepted_values = {f: accepted[f] for f in measure.filters if f in accepted}
        measures[measure.code] = measure
    return measures


def _check_measures(doc: Document, parsed: MeasuresFile) -> list[Issue]:
    sources, aggregations = measure_sources(), vocabulary.codes("aggregations")
    issues = [
        doc.issue(("sources", name), problem)
        for name in parsed.sources
        if (problem := code_problem(name, sources, "source"))
    ]
    items = [(("measures", i, "code"), m.code) for i, m in enumerate(parsed.measures)]
    issues += duplicates(items, "measure", doc)
    for i, measure in enumerate(parsed.measures):
        loc = ("measures", i)
        if not MEASURE_RE.match(measure.code):
            issues.append(doc.issue((*loc, "code"), "use lower-case snake_case"))
        if problem := code_problem(measure.aggregation, aggregations, "aggregation"):
            issues.append(doc.issue((*loc, "aggregation"), problem))
        if problem := code_problem(measure.source, sources, "source"):
            issues.append(doc.issue((*loc, "source"), problem))
            continue
        spec = parsed.sources.get(measure.source)
        if spec is None:
            issues.append(doc.issue((*loc, "source"), f"source {measure.source!r} not described"))
            continue
        if measure.column not in spec.columns:
            issues.append(
                doc.issue(
                    (*loc, "column"),
                    f"{measure.source} has no column {measure.column!r} "
                    f"(columns: {', '.join(spec.columns)})",
                )
            )
        for j, name in enumerate(measure.filters):
            if name not in spec.filters:
                issues.append(
                    doc.issue(
                        (*loc, "filters", j),
                        f"source {measure.source!r} cannot be filtered by {name}",
                    )
                )
    return issues + _check_parts(doc, parsed.measures)


def _check_parts(doc: Document, measures: list[Measure]) -> list[Issue]:
    """A « dont » (part_of) names another measure of the same source and filters, both
    counting people, and no chain of them comes back to where it started."""
    by_code = {m.code: m for m in measures}
    issues = []
    for i, part in enumerate(measures):
        if part.part_of is None:
            continue
        whole = by_code.get(part.part_of)
        if part.part_of == part.code:
            problem = "a measure cannot be part of itself"
        elif whole is None:
            problem = f"unknown measure {part.part_of!r} (measures: {', '.join(by_code)})"
        elif whole.source != part.source:
            problem = (
                f"{whole.code!r} reads source {whole.source!r}, this measure {part.source!r}:"
                " a « dont » counts within the same source"
            )
        elif sorted(whole.filters) != sorted(part.filters):
            problem = (
                f"{whole.code!r} accepts the filters [{', '.join(whole.filters)}], this measure"
                f" [{', '.join(part.filters)}]: a « dont » accepts the same filters"
            )
        elif not part.counts_people:
            problem = "a « dont » of another measure must count people: set counts_people: true"
        elif not whole.counts_people:
            problem = (
                f"{whole.code!r} does not count people (counts_people: false):"
                " only a count of people has a « dont »"
            )
        else:
            problem = _circle(part, by_code)
        if problem:
            issues.append(doc.issue(("measures", i, "part_of"), problem))
    return issues


def _circle(part: Measure, by_code: dict[str, Measure]) -> str | None:
    """The circle of part_of that starts and ends at ``part``, as text, or None."""
    chain, whole = [part.code], by_code.get(part.part_of)
    while whole is not None and whole.code not in chain:
        chain.append(whole.code)
        whole = by_code.get(whole.part_of) if whole.part_of else None
    if whole is None or whole.code != part.code:
        return None  # no circle, or one further up that its own members report
    return "part_of goes round in a circle: " + " -> ".join([*chain, part.code])
