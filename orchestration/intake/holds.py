"""The lock at intake: files reporting an approved period are kept, loaded, and held.

The rule is orchestration/approvals.py's ``holds_of``. This module applies it where intake
needs it: on a receipt (``sdsf submit``, the portal, a run), and once a run, over every file
the warehouse holds, into ``raw.submission_holds``, which the revisions that count leave out
(orchestration/intake/revisions.py, read by the quality rules and by dbt). Held rows stay in
raw, so an unlock needs no new upload: the next run recomputes the holds from the steps and the
held file counts.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration import approvals
from orchestration.intake.receipt import Receipt
from orchestration.intake.store import StoredSubmission, SubmissionStore, atomic_write

HOLDS_TABLE = "raw.submission_holds"


class Lock:
    """The approval steps as they stand, and which schemes each partner sends to (read from
    the deployment only when a period is approved at all)."""

    def __init__(self, home: Path):
        self.steps = approvals.states(home)
        self._partner_schemes: dict[str, set[str]] | None = None

    @property
    def active(self) -> bool:
        return any(step["state"] == approvals.APPROVED for step in self.steps.values())

    def holds(self, partner: str, periods, received_at) -> list[approvals.Hold]:
        if not self.active:
            return []
        if self._partner_schemes is None:
            from orchestration.reference import partner_schemes

            self._partner_schemes = partner_schemes()
        return approvals.holds_of(
            self.steps,
            partner=partner,
            periods=periods,
            received_at=received_at,
            partner_schemes=self._partner_schemes,
        )


def mark_receipt(lock: Lock, sub: StoredSubmission, receipt: Receipt) -> None:
    """Name on an accepted file's receipt the approved periods that hold it (none: unchanged)."""
    if receipt.accepted:
        found = lock.holds(sub.partner, receipt.periods, sub.received_at)
        receipt.holds = [asdict(h) for h in found]


def ensure_holds_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""
        create table if not exists {HOLDS_TABLE} (
            submission_id varchar not null,
            scheme_id varchar not null,
            period varchar not null,
            approved_at timestamp not null,
            primary key (submission_id, scheme_id, period)
        )
        """
    )


def write_holds(home: Path, con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Recompute every accepted file's holds from the steps into ``raw.submission_holds`` (in
    one transaction) and set each stored file's status to match; returns the rows written."""
    lock = Lock(home)
    ensure_holds_table(con)
    files = con.execute(
        "select submission_id, partner_code, periods, received_at from raw.submissions"
        " where status = 'acceptee' order by submission_id"
    ).fetchall()
    rows = [
        (sid, h.scheme, h.period, _naive_utc(h.approved_at))
        for sid, partner, periods, received in files
        for h in lock.holds(partner, periods or [], _as_utc(received))
    ]
    con.begin()
    try:
        con.execute(f"delete from {HOLDS_TABLE}")
        if rows:
            con.executemany(f"insert into {HOLDS_TABLE} values (?, ?, ?, ?)", rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    _sync_statuses(home, [f[0] for f in files], {r[0] for r in rows})
    return rows


def _sync_statuses(home: Path, accepted: list[str], held: set[str]) -> None:
    """A held file reads « en attente » in the store (the portal's list, `sdsf status`) and
    « accepté » again once released; the receipt text keeps what was said on arrival."""
    store = SubmissionStore(home)
    for sid in accepted:
        path = store.manifests / f"{sid}.json"
        if not path.is_file():
            continue
        manifest = json.loads(path.read_text(encoding="utf-8"))
        wanted = approvals.HELD if sid in held else "acceptee"
        if manifest.get("status") not in ("acceptee", approvals.HELD):
            continue
        if manifest["status"] != wanted:
            manifest["status"] = wanted
            if isinstance(manifest.get("receipt"), dict):
                manifest["receipt"].setdefault("submission", {})["status"] = wanted
            atomic_write(path, json.dumps(manifest, ensure_ascii=False, indent=2).encode())


def _as_utc(received: datetime) -> datetime:
    """raw.submissions keeps UTC times without a zone (intake/loading.py), as holds do."""
    return received.replace(tzinfo=UTC)


def _naive_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
