"""Sign-off of a scheme's periods: reviewed (« revu »), approved (« validé », which locks the
period) and unlocked, kept as an append-only JSON-lines file ``$SDSF_HOME/approvals/steps.jsonl``.

A period's state is the last step written for it: ``review`` -> ``reviewed``, ``approve`` ->
``approved``, ``unlock`` -> ``not_reviewed`` (it must be approved again). The state codes and their
French labels are the ``approval_states`` of sources/vocabulary.yaml; periods are the calendar's
(orchestration/calendar.py). Appends are serialised by an exclusive lock and fsynced, and every
step is also written to the audit trail.

An approval locks the period at intake: :func:`holds_of` says which files it holds (received
after it); orchestration/intake/holds.py applies it to receipts and to ``raw.submission_holds``.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration import audit, vocabulary
from orchestration.calendar import parse_period

STATES = vocabulary.codes("approval_states")
NOT_REVIEWED, REVIEWED, APPROVED = "not_reviewed", "reviewed", "approved"
assert set(STATES) == {NOT_REVIEWED, REVIEWED, APPROVED}, STATES
_STEP_STATE = {"review": REVIEWED, "approve": APPROVED, "unlock": NOT_REVIEWED}
_STEP_EVENT = {
    "review": "period_reviewed",
    "approve": "period_approved",
    "unlock": "period_unlocked",
}


# raw.period_approvals, one row per step ever written (the whole history, in the file's order):
# dbt reads it as a source (models/staging/stg_approvals__period_approvals.sql).
TABLE_COLUMNS = {
    "step_number": "INTEGER",
    "at": "TIMESTAMP",  # UTC, as every time of the warehouse
    "step": "VARCHAR",
    "state": "VARCHAR",
    "scheme": "VARCHAR",
    "period": "VARCHAR",
    "who": "VARCHAR",
    "comment": "VARCHAR",
    "missing": "VARCHAR[]",
}


class Refused(ValueError):
    """A step refused; the message is French and nothing was written."""


def steps_path(home: Path) -> Path:
    return Path(home) / "approvals" / "steps.jsonl"


def read_steps(home: Path) -> list[dict]:
    path = steps_path(home)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def steps_table(home: Path):
    """Every step of the store as the rows of ``raw.period_approvals`` (a pandas frame; no
    file or no step: no rows, the same columns)."""
    import pandas as pd  # only the asset needs it: the sign-off commands stay quick

    rows = [
        {
            "step_number": number,
            "at": datetime.fromisoformat(step["at"]).astimezone(UTC).replace(tzinfo=None),
            **{col: step.get(col) for col in ("step", "state", "scheme", "period", "who")},
            "comment": step.get("comment"),
            "missing": list(step.get("missing") or []),
        }
        for number, step in enumerate(read_steps(home), start=1)
    ]
    return pd.DataFrame.from_records(rows, columns=list(TABLE_COLUMNS))


def states(home: Path) -> dict[tuple[str, str], dict]:
    """(scheme, period code) -> its last step, with ``state`` set."""
    out: dict[tuple[str, str], dict] = {}
    for step in read_steps(home):
        out[(step["scheme"], step["period"])] = step
    return out


def state_of(home: Path, scheme: str, period: str) -> str:
    step = states(home).get((scheme, period))
    return step["state"] if step else NOT_REVIEWED


def record_step(
    home: Path,
    step: str,
    *,
    scheme: str,
    period: str,
    schemes: Mapping[str, tuple[int, int]],
    actor: audit.Actor,
    comment: str | None = None,
    missing: Iterable[str] = (),
) -> dict:
    """Write one step (``review``, ``approve`` or ``unlock``) after checking it; raise Refused.

    ``schemes`` maps each scheme code to its first and last year; ``missing`` names the expected
    files not received when the step is given (kept with an approval, and said so).
    """
    if step not in _STEP_STATE:
        raise ValueError(f"unknown step {step!r}")
    if scheme not in schemes:
        raise Refused(f"Schéma « {scheme} » inconnu ({', '.join(sorted(schemes))}).")
    parsed = parse_period(period)
    if parsed is None:
        raise Refused(f"Période « {period} » illisible.")
    first, last = schemes[scheme]
    if not (first <= parsed.year <= last):
        raise Refused(f"La période {parsed.code} est hors du schéma « {scheme} » ({first}-{last}).")
    comment = (comment or "").strip() or None
    path = steps_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / "steps.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = state_of(home, scheme, parsed.code)
        if step == "unlock" and current != APPROVED:
            raise Refused(f"La période {parsed.code} du schéma « {scheme} » n'est pas verrouillée.")
        if step == "unlock" and not comment:
            raise Refused("Un déverrouillage doit dire pourquoi (--reason).")
        if step in ("approve", "review") and current == APPROVED:
            raise Refused(
                f"La période {parsed.code} du schéma « {scheme} » est déjà validée et "
                "verrouillée : déverrouillez-la d'abord."
            )
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "step": step,
            "state": _STEP_STATE[step],
            "scheme": scheme,
            "period": parsed.code,
            "who": actor.who,
            "comment": comment,
            "missing": sorted(missing) if step == "approve" else [],
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as handle:
            handle.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    audit.record(home, _STEP_EVENT[step], actor, subject=f"{scheme} {parsed.code}", **entry)
    return entry


# --------------------------------------------------------------------------- the lock at intake
# The submission status (``submission_statuses``) of a valid file kept while a period it reports
# is approved: its rows are in raw, no model counts them until the period is unlocked.
HELD = "en_attente"
assert HELD in vocabulary.codes("submission_statuses")


@dataclass(frozen=True)
class Hold:
    """Why a file is held: the approved scheme period it reports and when it was approved."""

    scheme: str
    period: str
    approved_at: str


def holds_of(
    steps: Mapping[tuple[str, str], dict],
    *,
    partner: str,
    periods: Iterable[str],
    received_at: str | datetime,
    partner_schemes: Mapping[str, Iterable[str]],
) -> list[Hold]:
    """The one rule of the lock: a file is held for each scheme its partner sends to
    (``partner_schemes``) whose period overlapping one of the file's ``periods`` is approved
    now (``steps`` as :func:`states` gives them) and was approved before the file came.

    An unlock ends the hold (the state is no longer approved); after a new approval, only the
    files received after it are held. A partner sending to several schemes sends them the same
    rows: a file held for one scheme is held for all (its submission is left out everywhere).
    """
    received = _utc(received_at)
    parsed = [p for p in (parse_period(code) for code in periods) if p is not None]
    out = []
    for scheme in sorted(set(partner_schemes.get(partner, ()))):
        for (step_scheme, period), step in sorted(steps.items()):
            if step_scheme != scheme or step["state"] != APPROVED:
                continue
            approved = parse_period(period)
            if approved is None or _utc(step["at"]) >= received:
                continue
            if any(p.start <= approved.end and p.end >= approved.start for p in parsed):
                out.append(Hold(scheme, approved.code, step["at"]))
    return out


def _utc(value: str | datetime) -> datetime:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
