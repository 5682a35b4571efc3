"""Reminders to partners: a mail some days before a file is due, and one once it is overdue.

A partner with a ``contact`` address in the partner registry (``sources/partners.yaml``) gets,
for each period the submission calendar expects of it (orchestration/calendar.py, read live
from the store's manifests as the portal does):

- ``before_deadline``: when no accepted file covers the period yet and its due date is at most
  ``SDSF_REMINDER_DAYS_BEFORE`` days away (default 10);
- ``overdue``: when the due date has passed with no accepted file, for a due date at most
  ``SDSF_REMINDER_OVERDUE_WINDOW_DAYS`` days ago (default 30: a partner is reminded of a
  recent deadline, not of every period of an ended scheme the first day reminders run).

Each (partner, kind of file, period, kind of reminder) is mailed once: what was sent is kept,
append-only, in ``$SDSF_HOME/reminders/sent.jsonl`` (written after the mail server accepted the
mail, under a lock, so two runs at once cannot send the same reminder twice). Mails go through
the deployment's mail server (orchestration/mail.py); without one, nothing is sent or recorded.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration import calendar, mail, vocabulary
from orchestration import schemes as scheme_defs
from orchestration.intake.store import SubmissionStore
from orchestration.portal.expectations import partner_expectations, partner_years

BEFORE_DEADLINE, OVERDUE = "before_deadline", "overdue"
assert set(vocabulary.codes("reminder_kinds")) == {BEFORE_DEADLINE, OVERDUE}
DEFAULT_DAYS_BEFORE = 10
DEFAULT_OVERDUE_WINDOW = 30


def days_before() -> int:
    return int(os.environ.get("SDSF_REMINDER_DAYS_BEFORE", DEFAULT_DAYS_BEFORE))


def overdue_window() -> int:
    return int(os.environ.get("SDSF_REMINDER_OVERDUE_WINDOW_DAYS", DEFAULT_OVERDUE_WINDOW))


def portal_url() -> str:
    return os.environ.get("SDSF_PORTAL_URL", "http://127.0.0.1:8080")


@dataclass(frozen=True)
class Reminder:
    partner: str
    partner_name: str
    to: str
    reminder: str  # reminder_kinds
    kind: str  # submission_kinds
    period: str
    deadline: date
    refused_files: int  # files received for the period and refused (to correct and resend)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.partner, self.kind, self.period, self.reminder)


def sent_log(home: Path) -> Path:
    return home / "reminders" / "sent.jsonl"


def already_sent(home: Path) -> set[tuple[str, str, str, str]]:
    path = sent_log(home)
    if not path.exists():
        return set()
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            keys.add((r["partner"], r["kind"], r["period"], r["reminder"]))
    return keys


def due_reminders(home: Path, today: date | None = None) -> list[Reminder]:
    """The reminders owed on ``today`` (default: the calendar's as-of date) and not yet sent."""
    today = calendar.as_of_date(today)
    partners = scheme_defs.load_partners()
    schemes = scheme_defs.load_schemes(partners=partners)
    manifests = [s.manifest() for s in SubmissionStore(home).all()]
    sent = already_sent(home)
    ahead, window = days_before(), overdue_window()
    out = []
    for code, partner in sorted(partners.items()):
        if not partner.contact:
            continue
        years = partner_years(partner, schemes)
        for a in partner_expectations(partner, manifests, years, today=today):
            if a.accepted:
                continue
            left = (a.deadline - today).days
            if a.status == calendar.PENDING and 0 <= left <= ahead:
                reminder = BEFORE_DEADLINE
            elif a.status == calendar.MISSING and 0 < -left <= window:
                reminder = OVERDUE
            else:
                continue
            r = Reminder(
                code, partner.name, partner.contact, reminder, a.kind, a.period.code,
                a.deadline, len(a.refused),
            )  # fmt: skip
            if r.key not in sent:
                out.append(r)
    return sorted(out, key=lambda r: (r.deadline, r.partner, r.kind, r.period, r.reminder))


def compose(r: Reminder, today: date) -> tuple[str, str]:
    """The French subject and body of a reminder."""
    what = vocabulary.label("submission_kinds", r.kind)
    deadline = f"{r.deadline:%d/%m/%Y}"
    if r.reminder == BEFORE_DEADLINE:
        left = (r.deadline - today).days
        when = "aujourd'hui" if left == 0 else f"dans {left} jour{'s' if left > 1 else ''}"
        subject = f"[sdsf] Rappel : fichier « {what} » {r.period} attendu le {deadline}"
        opening = (
            f"Le fichier « {what} » de la période {r.period} est attendu le {deadline} "
            f"({when}). Nous n'avons pas encore reçu de fichier accepté pour cette période."
        )
    else:
        late = (today - r.deadline).days
        subject = f"[sdsf] Relance : fichier « {what} » {r.period} en retard"
        opening = (
            f"Le fichier « {what} » de la période {r.period} était attendu le {deadline}, "
            f"il y a {late} jour{'s' if late > 1 else ''}. Nous n'avons pas reçu de fichier "
            "accepté pour cette période."
        )
    lines = ["Bonjour,", "", f"Partenaire : {r.partner_name} ({r.partner})", "", opening, ""]
    if r.refused_files == 1:
        lines += [
            "Un fichier reçu pour cette période a été refusé : son accusé de réception",
            "dit quoi corriger avant de le renvoyer.",
            "",
        ]
    elif r.refused_files:
        lines += [
            f"{r.refused_files} fichiers reçus pour cette période ont été refusés : leurs",
            "accusés de réception disent quoi corriger avant de renvoyer le fichier.",
            "",
        ]
    lines += [
        f"Déposez le fichier sur le portail des partenaires : {portal_url()}",
        "Le modèle de fichier et son guide des colonnes s'y téléchargent.",
        "",
        "Si le fichier vient d'être envoyé, ne tenez pas compte de ce message.",
        "",
        "Ce message est envoyé une seule fois pour cette période.",
        "-- ",
        "sdsf, suivi du schéma des services aux familles",
    ]
    return subject, "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    reminder: Reminder
    sent: bool
    error: str | None = None


def send_reminders(
    home: Path, today: date | None = None, *, dry_run: bool = False
) -> list[Outcome]:
    """Mail every reminder owed today, once; ``dry_run`` lists them and sends nothing."""
    today = calendar.as_of_date(today)
    if dry_run or not mail.configured():
        return [Outcome(r, False) for r in due_reminders(home, today)]
    outcomes = []
    with _locked(home):
        # Read again under the lock: another run may have sent some meanwhile.
        for r in due_reminders(home, today):
            subject, body = compose(r, today)
            try:
                mail.send(subject, body, [r.to])
            except Exception as exc:  # noqa: BLE001 - one unreachable address must not stop the rest
                outcomes.append(Outcome(r, False, f"{type(exc).__name__}: {exc}"))
                continue
            _record(home, r)
            outcomes.append(Outcome(r, True))
    return outcomes


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    path = sent_log(home).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _record(home: Path, r: Reminder) -> None:
    record = asdict(r) | {
        "deadline": r.deadline.isoformat(),
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with sent_log(home).open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
