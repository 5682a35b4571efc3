"""The audit trail: who did what, when and from where; appended to, never rewritten.

``$SDSF_HOME/audit/audit.jsonl`` holds one JSON record a line: ``seq`` (1, 2, ...), ``at`` (UTC),
``event`` (a code of ``audit_events`` in ``sources/vocabulary.yaml``), ``who`` (a portal login,
or the OS user of a local command), ``origin`` (the client's address for the portal; ``cli``,
``inbox`` or ``pipeline`` for local work), ``partner``, ``subject`` (a submission, a login),
``details``, then ``prev`` and ``hash``. A record's hash is the SHA-256 of its canonical JSON
without ``hash``, and ``prev`` is the previous record's hash, so an edited, removed or reordered
line breaks the chain where it happened. ``audit.head`` beside it holds the last record's
number and hash, so cutting the end off shows too.

The chain detects changes made by hand or by a tool unaware of it; someone able to rewrite the
whole file and its head consistently is not stopped by it: keep a copy elsewhere for that.

Appends take an exclusive lock on ``audit.lock`` (the portal, `sdsf` commands and runs append
side by side), write one line with ``O_APPEND`` and fsync it before returning.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from orchestration import vocabulary

EVENTS = "audit_events"  # the code list of sources/vocabulary.yaml
GENESIS = "0" * 64  # the ``prev`` of the first record
_TAIL_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: a portal login and its client address, or a local user."""

    who: str
    origin: str


def local_actor(origin: str = "cli") -> Actor:
    """The OS user running this process (a command, a run)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        who = f"uid {os.getuid()}"
    return Actor(who, origin)


def audit_dir(home: Path) -> Path:
    return Path(home) / "audit"


def audit_path(home: Path) -> Path:
    return audit_dir(home) / "audit.jsonl"


def _head_path(home: Path) -> Path:
    return audit_dir(home) / "audit.head"


def record_hash(record: dict) -> str:
    """The SHA-256 of a record's canonical JSON, ``hash`` left out."""
    body = {k: v for k, v in record.items() if k != "hash"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    folder = audit_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "audit.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record(
    home: Path,
    event: str,
    actor: Actor,
    *,
    partner: str | None = None,
    subject: str | None = None,
    **details: Any,
) -> dict:
    """Append one event to the trail of ``home`` and return the record written."""
    if event not in vocabulary.codes(EVENTS):
        raise ValueError(f"{event!r} is not a code of {EVENTS} in sources/vocabulary.yaml")
    path = audit_path(home)
    with _locked(home):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+b") as handle:
            last, ends_cleanly = _last_line(handle)
            seq, prev = _successor_of(last, home)
            entry = {
                "seq": seq,
                "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                "event": event,
                "who": actor.who[:200],
                "origin": actor.origin[:200],
                "partner": partner,
                "subject": subject,
                "details": details,
                "prev": prev,
            }
            entry["hash"] = record_hash(entry)
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
            # A line cut short by a crash stays as it is (the check reports it); the next
            # record starts on a line of its own.
            handle.write((b"" if ends_cleanly else b"\n") + line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        # Imported here: the store records receipts through this module.
        from orchestration.intake.store import atomic_write

        atomic_write(_head_path(home), json.dumps({"seq": seq, "hash": entry["hash"]}).encode())
    return entry


def record_arrival(
    home: Path, sub, actor: Actor, *, created: bool, event: str = "file_received"
) -> dict:
    """The event of a file kept in the store (``created`` False: the same content again)."""
    return record(
        home,
        event,
        actor,
        partner=sub.partner,
        subject=sub.submission_id,
        kind=sub.kind,
        file_name=sub.file_name,
        sha256=sub.sha256,
        new=created,
    )


def record_receipt(home: Path, sub, receipt, actor: Actor) -> dict:
    """The event of a receipt written for a stored submission: accepted or rejected."""
    return record(
        home,
        "receipt_accepted" if receipt.accepted else "receipt_rejected",
        actor,
        partner=sub.partner,
        subject=sub.submission_id,
        kind=sub.kind,
        rows=receipt.rows,
        errors=receipt.error_count,
        warnings=len(receipt.warnings) + receipt.warnings_not_listed,
        periods=list(receipt.periods),
        **({"holds": receipt.holds} if getattr(receipt, "holds", None) else {}),
    )


def _last_line(handle) -> tuple[bytes | None, bool]:
    """The file's last non-empty line, and whether the file ends with a newline."""
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        return None, True
    handle.seek(size - 1)
    ends_cleanly = handle.read(1) == b"\n"
    data, position = b"", size
    while position > 0:
        step = min(_TAIL_BLOCK, position)
        position -= step
        handle.seek(position)
        data = handle.read(step) + data
        stripped = data.rstrip(b"\n")
        if b"\n" in stripped:
            return stripped.rsplit(b"\n", 1)[1], ends_cleanly
    return data.rstrip(b"\n") or None, ends_cleanly


def _successor_of(last: bytes | None, home: Path) -> tuple[int, str]:
    """The number and ``prev`` of the record that follows ``last``."""
    if last is None:
        return 1, GENESIS
    try:
        previous = json.loads(last)
        return int(previous["seq"]) + 1, str(previous["hash"])
    except (ValueError, KeyError, TypeError):
        # A damaged last line: chain to its bytes, number after the head's last record.
        head = _read_head(home) or {}
        return int(head.get("seq", 0)) + 1, hashlib.sha256(last).hexdigest()


def _read_head(home: Path) -> dict | None:
    try:
        return json.loads(_head_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass
class Trail:
    """What the audit file holds: the records that could be read, and every break found."""

    records: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # in French, each naming its line

    @property
    def intact(self) -> bool:
        return not self.problems


def read_trail(home: Path) -> Trail:
    """Read the whole trail and check its chain, line by line, and its head."""
    trail = Trail()
    path = audit_path(home)
    if not path.exists():
        if _read_head(home) is not None:
            trail.problems.append("le journal d'audit a disparu alors que son en-tête existe")
        return trail
    expected_seq, expected_prev = 1, GENESIS
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\n")
            problem, entry = _check_line(line, expected_seq, expected_prev)
            if problem:
                trail.problems.append(f"ligne {number} : {problem}")
            if entry is None:
                # Unreadable: the next record chains to these bytes; its number is unknown.
                expected_seq, expected_prev = None, hashlib.sha256(line).hexdigest()
                continue
            trail.records.append(entry)
            expected_seq, expected_prev = entry["seq"] + 1, entry["hash"]
    head = _read_head(home)
    if head is not None:
        last = trail.records[-1] if trail.records else None
        by_seq = {r["seq"]: r for r in trail.records}
        if last is None or head.get("seq", 0) > last["seq"]:
            trail.problems.append(
                f"fin du journal tronquée : il s'arrête à l'enregistrement "
                f"n° {last['seq'] if last else 0}, le dernier écrit était le n° {head.get('seq')}"
            )
        elif head.get("seq") in by_seq and by_seq[head["seq"]]["hash"] != head.get("hash"):
            trail.problems.append(
                f"l'enregistrement n° {head['seq']} n'est pas celui qui a été écrit "
                "(son empreinte diffère de celle de l'en-tête)"
            )
    return trail


def _check_line(line: bytes, expected_seq: int | None, expected_prev: str):
    """(problem or None, the record or None when unreadable) for one line of the file."""
    try:
        entry = json.loads(line)
        if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
            raise ValueError("not a record")
    except ValueError:
        return "ligne illisible (coupée ou modifiée) : ce n'est pas un enregistrement complet", None
    if entry.get("hash") != record_hash(entry):
        return (
            f"enregistrement n° {entry['seq']} modifié : son empreinte ne correspond plus à son "
            "contenu",
            entry,
        )
    if expected_seq is not None and entry["seq"] != expected_seq:
        return (
            f"enregistrement n° {entry['seq']} trouvé là où le n° {expected_seq} était attendu : "
            "des lignes ont été retirées ou déplacées",
            entry,
        )
    if entry.get("prev") != expected_prev:
        return (
            f"enregistrement n° {entry['seq']} : il ne suit pas la ligne précédente "
            "(chaînage rompu)",
            entry,
        )
    return None, entry


def select(records: Iterable[dict], *, since: date | None = None, partner: str | None = None):
    """The records from ``since`` (a UTC day) on, of ``partner`` when given, oldest first."""
    out = []
    for entry in records:
        if since is not None and str(entry.get("at", ""))[:10] < since.isoformat():
            continue
        if partner is not None and entry.get("partner") != partner:
            continue
        out.append(entry)
    return out


def text_rows(records: Iterable[dict]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """French column headers and one row a record, for `sdsf audit`."""
    header = ("date (UTC)", "événement", "qui", "depuis", "partenaire", "objet")
    rows = [
        (
            f"{r['at'][8:10]}/{r['at'][5:7]}/{r['at'][:4]} {r['at'][11:19]}",
            vocabulary.label(EVENTS, r.get("event")),
            str(r.get("who") or "-"),
            str(r.get("origin") or "-"),
            str(r.get("partner") or "-"),
            str(r.get("subject") or "-"),
        )
        for r in records
    ]
    return header, rows


def alert_tampering(home: Path, trail: Trail) -> list[str]:
    """Send the breaks found through the alerts channel (log, mail, webhook); the channels used."""
    from orchestration.defs.operations.alerts import deliver

    lines = [f"sdsf : le journal d'audit {audit_path(home)} a été altéré."]
    lines += [f"- {problem}" for problem in trail.problems]
    alert = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "level": "error",
        "kind": "audit_tampered",
        "subject": "[sdsf] journal d'audit altéré",
        "text": "\n".join(lines),
        "audit_file": str(audit_path(home)),
        "problems": trail.problems,
    }
    return deliver(alert, home)
