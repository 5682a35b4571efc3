"""What a partner owes, read live from the store's manifests with the submission calendar.

The partner registry (``sources/partners.yaml``) says which kinds a partner sends, at which
cadence and how many days after the end of a period the file is due; the schemes of the
partner's départements give the years it owes files for (action reports: the schemes whose
actions it pilots). The submission calendar
(orchestration/calendar.py) turns that and the store's manifests into the expected periods and
their statuses: the same rule as the completeness mart, ``sdsf status`` and the deadline checks,
without needing the warehouse. A refused file is a fact shown beside the status (« à corriger
et renvoyer »), not a status of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from orchestration import calendar


def partner_years(partner, schemes: Iterable) -> dict[str, set[int]]:
    """Kind -> the years the partner owes files of that kind for (``Scheme`` models)."""
    return calendar.owed_years(
        partner.code,
        [sub.kind for sub in partner.submissions],
        partner.departements,
        (
            (s.departement, s.period.start, s.period.end, [a.pilot for a in s.actions])
            for s in schemes
        ),
    )


def partner_expectations(
    partner,
    manifests: list[dict],
    years: Iterable[int] | Mapping[str, Iterable[int]],
    *,
    today: date | None = None,
) -> list[calendar.Assessment]:
    """Every expected period of one partner (a registry ``Partner``), latest first by kind.

    ``years`` are those of every kind, or by kind (:func:`partner_years`). ``manifests`` may
    hold other partners' files: only the partner's own count.
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
    owed = dict(years) if isinstance(years, Mapping) else set(years)
    assessments = calendar.assess_registry(registry, {partner.code: owed}, files, today)
    order = {sub.kind: i for i, sub in enumerate(partner.submissions)}
    return sorted(assessments, key=lambda a: (order[a.kind], -a.period.start.toordinal()))
