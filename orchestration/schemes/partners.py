"""``partners.yaml`` of the deployment (``SDSF_SOURCES``): who signs schemes, pilots actions and
sends which files, checked."""

from __future__ import annotations

from pathlib import Path

from orchestration import vocabulary
from orchestration.schemes.codes import DEPARTEMENT_RE, PARTNER_RE, bad_departement, code_problem
from orchestration.schemes.models import Partner, PartnersFile
from orchestration.schemes.yaml_reading import Document, Issue, SchemeError, duplicates, read_model
from orchestration.settings import deployment

# Cadences were written annual/quarterly/monthly before they became the granularity codes of
# the vocabulary: an old registry is told the new name instead of "unknown cadence".
_RENAMED_CADENCES = {"annual": "year", "quarterly": "quarter", "monthly": "month"}


def load_partners(path: Path | str | None = None) -> dict[str, Partner]:
    """Read and check partners.yaml (by default the deployment's); return the partners by code."""
    document, parsed = read_model(Path(path or deployment().partners), PartnersFile)
    issues = _check_partners(document, parsed)
    if issues:
        raise SchemeError(issues)
    return {partner.code: partner for partner in parsed.partners}


def cadence_problem(cadence: str) -> str | None:
    """Why ``cadence`` is not a granularity code (naming the new code of an old name), or None."""
    accepted = vocabulary.codes("granularities")
    if cadence in _RENAMED_CADENCES:
        return (
            f"cadence {cadence!r} is now written {_RENAMED_CADENCES[cadence]!r}"
            f" (accepted: {', '.join(accepted)})"
        )
    return code_problem(cadence, accepted, "cadence")


def _check_partners(doc: Document, parsed: PartnersFile) -> list[Issue]:
    items = [(("partners", i, "code"), p.code) for i, p in enumerate(parsed.partners)]
    issues = duplicates(items, "partner", doc)
    types, kinds = vocabulary.codes("partner_types"), vocabulary.codes("submission_kinds")
    for i, partner in enumerate(parsed.partners):
        loc = ("partners", i)
        if not PARTNER_RE.match(partner.code):
            issues.append(doc.issue((*loc, "code"), "use upper-case letters, digits and _"))
        if problem := code_problem(partner.type, types, "partner type"):
            issues.append(doc.issue((*loc, "type"), problem))
        if not partner.departements:
            issues.append(doc.issue((*loc, "departements"), "list at least one"))
        for j, code in enumerate(partner.departements):
            if not DEPARTEMENT_RE.match(code):
                issues.append(doc.issue((*loc, "departements", j), bad_departement(code)))
        issues += duplicates(
            [((*loc, "submissions", j, "kind"), s.kind) for j, s in enumerate(partner.submissions)],
            "submission kind",
            doc,
        )
        for j, submission in enumerate(partner.submissions):
            s_loc = (*loc, "submissions", j)
            if problem := code_problem(submission.kind, kinds, "submission kind"):
                issues.append(doc.issue((*s_loc, "kind"), problem))
            if problem := cadence_problem(submission.cadence):
                issues.append(doc.issue((*s_loc, "cadence"), problem))
            if not 0 <= submission.deadline_days <= 366:
                issues.append(
                    doc.issue((*s_loc, "deadline_days"), "must be between 0 and 366 days")
                )
    return issues
