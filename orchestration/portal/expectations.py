"""What a partner owes: per kind and reporting period, received, accepted, late or missing.

The partner registry (``sources/partners.yaml``) says which kinds a partner sends, how often
(annual, quarterly, monthly) and how many days after the end of a period the file is due. The
store's manifests say what arrived, when, and with which outcome. The *current* reporting
period of a kind is the latest one that has ended (the one partners are reporting on now); the
*previous* one comes before it. A period is covered by an accepted file whose rows are of that
period; a refused file has no periods (its rows were not read as valid), so it counts for every
period of its kind that had ended when it arrived and that no accepted file covers yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from orchestration.intake.periods import Period, parse_period

STATUS_LABELS_FR = {
    "a_jour": "Reçu et accepté dans les délais",
    "accepte_en_retard": "Accepté, mais reçu après l'échéance",
    "refuse": "Reçu mais refusé : à corriger et renvoyer",
    "refuse_en_retard": "Refusé et échéance dépassée : à corriger et renvoyer",
    "attendu": "Pas encore reçu (échéance à venir)",
    "en_retard": "Manquant : échéance dépassée",
}


@dataclass(frozen=True)
class Expectation:
    """One file a partner owes: a kind for a period, its deadline and where it stands."""

    partner: str
    kind: str
    cadence: str
    period: str
    deadline: date
    received: int  # files received for it (accepted, or refused after the period ended)
    accepted: bool
    late: bool
    missing: bool  # nothing received at all
    status: str
    last_submission: str | None

    @property
    def status_fr(self) -> str:
        return STATUS_LABELS_FR[self.status]


def reporting_periods(cadence: str, today: date, count: int = 2) -> list[Period]:
    """The ``count`` latest periods of a cadence that have ended by ``today``, latest first."""
    periods = []
    if cadence == "annual":
        codes = [str(today.year - 1 - i) for i in range(count)]
    elif cadence == "quarterly":
        index = today.year * 4 + (today.month - 1) // 3 - 1  # the quarter before today's
        codes = [f"{(index - i) // 4}-T{(index - i) % 4 + 1}" for i in range(count)]
    elif cadence == "monthly":
        index = today.year * 12 + today.month - 2  # the month before today's
        codes = [f"{(index - i) // 12}-{(index - i) % 12 + 1:02d}" for i in range(count)]
    else:
        raise ValueError(f"unknown cadence {cadence!r}")
    for code in codes:
        period = parse_period(code)
        assert period is not None, code
        periods.append(period)
    return periods


def deadline_of(period: Period, deadline_days: int) -> date:
    return period.end + timedelta(days=deadline_days)


def partner_expectations(
    partner, manifests: list[dict], *, today: date | None = None, count: int = 2
) -> list[Expectation]:
    """Expectations of one partner (a registry ``Partner``) given every stored manifest."""
    today = today or date.today()
    own = [m for m in manifests if m.get("partner") == partner.code]
    out = []
    for spec in partner.submissions:
        of_kind = sorted(
            (m for m in own if m.get("kind") == spec.kind), key=lambda m: m["received_at"]
        )
        for period in reporting_periods(spec.cadence, today, count):
            out.append(_expectation(partner.code, spec, period, of_kind, today))
    return out


def _expectation(code, spec, period: Period, manifests: list[dict], today: date) -> Expectation:
    deadline = deadline_of(period, spec.deadline_days)
    accepted = [
        m
        for m in manifests
        if m.get("status") == "acceptee" and period.code in (m.get("periods") or [])
    ]
    if accepted:
        first = _day(accepted[0]["received_at"])
        late = first > deadline
        status = "accepte_en_retard" if late else "a_jour"
        relevant = accepted
    else:
        relevant = [
            m
            for m in manifests
            if m.get("status") == "rejetee" and _day(m["received_at"]) > period.end
        ]
        late = today > deadline
        if relevant:
            status = "refuse_en_retard" if late else "refuse"
        else:
            status = "en_retard" if late else "attendu"
    return Expectation(
        partner=code,
        kind=spec.kind,
        cadence=spec.cadence,
        period=period.code,
        deadline=deadline,
        received=len(relevant),
        accepted=bool(accepted),
        late=late,
        missing=not relevant,
        status=status,
        last_submission=relevant[-1]["submission_id"] if relevant else None,
    )


def _day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp).date()
