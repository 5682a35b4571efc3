"""What a partner owes, read live from the store's manifests with the submission calendar.

The partner registry (``sources/partners.yaml``) says which kinds a partner sends, at which
cadence and how many days after the end of a period the file is due; the schemes of the
partner's départements give the years it owes files for. The submission calendar
(orchestration/calendar.py) turns that and the store's manifests into the expected periods and
their statuses: the same rule as the completeness mart, ``sdsf status`` and the deadline checks,
without needing the warehouse. A refused file is a fact shown beside the status (« à corriger
et renvoyer »), not a status of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from orchestration import calendar


def partner_years(partner, schemes: Iterable) -> set[int]:
    """The years of the schemes (``Scheme`` models) of the partner's départements."""
    return calendar.scheme_years(
        partner.departements, ((s.departement, s.period.start, s.period.end) for s in schemes)
    )


def partner_expectations(
    partner, manifests: list[dict], years: Iterable[int], *, today: date | None = None
) -> list[calendar.Assessment]:
    """Every expected period of one partner (a registry ``Partner``), latest first by kind.

    ``manifests`` may hold other partners' files: only the partner's own count.
    """
    today = calendar.as_of_date(today)
    files: dict[tuple[str, str], list[calendar.File]] = {}
    for manifest in manifests:
        if manifest.get("partner") == partner.code:
            key = (partner.code, manifest.get("kind"))
            files.setdefault(key, []).append(calendar.File.from_manifest(manifest))
    registry = [
        calendar.Expectation(partner.code, sub.kind, sub.cadence, sub.deadline_days)
        for sub in partner.submissions
    ]
    assessments = calendar.assess_registry(registry, {partner.code: set(years)}, files, today)
    order = {sub.kind: i for i, sub in enumerate(partner.submissions)}
    return sorted(assessments, key=lambda a: (order[a.kind], -a.period.start.toordinal()))
