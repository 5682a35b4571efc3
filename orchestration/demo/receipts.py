"""When each demo file reached the pipeline: the receipts story of ``sources/demo/*.yaml``.

Most files arrive some days before their due date (the submission calendar's, from the partner
registry: :func:`orchestration.calendar.due_date`). The ``receipts`` section of a département's
spec tells the exceptions, each naming a partner, a kind of file and a period:

- ``late``: the file arrives ``days`` after its due date;
- ``missing``: the file never arrives;
- ``rejected``: a first version with a mistake arrives ``days`` from the due date (negative:
  before), is refused, and a corrected version arrives ``corrected`` days from it;
- ``revised``: after the file, a corrected version (a revision) arrives ``days`` from the due date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

STORY_KINDS = ("late", "missing", "rejected", "revised")


@dataclass(frozen=True)
class Sending:
    """One version of a file as its partner sent it."""

    received_at: datetime
    version: str  # "first", "faulty", "corrected" or "revision"


class ReceiptsStory:
    """The exceptions of one spec, keyed by (partner, kind, period); each must be used once."""

    def __init__(self, spec: dict, seed: int):
        self.seed = seed
        self.entries: dict[tuple[str, str, str], tuple[str, dict]] = {}
        for story in STORY_KINDS:
            for entry in spec.get(story, []):
                key = (entry["partner"], entry["kind"], str(entry["period"]))
                if key in self.entries:
                    raise ValueError(f"demo receipts: {key} is told twice")
                self.entries[key] = (story, entry)
        self.used: set[tuple[str, str, str]] = set()

    def sendings(self, partner: str, kind: str, period: str, due: date, deadline_days: int):
        """The versions of the file for one expected period, oldest first (none: missing)."""
        key = (partner, kind, period)
        story, entry = self.entries.get(key, (None, {}))
        self.used.add(key)
        on_time = self._at(key, due, None, deadline_days)
        if story == "missing":
            return []
        if story == "late":
            return [Sending(self._at(key, due, entry["days"]), "first")]
        if story == "rejected":
            return [
                Sending(self._at(key, due, entry["days"]), "faulty"),
                Sending(self._at(key, due, entry["corrected"]), "corrected"),
            ]
        if story == "revised":
            return [
                Sending(on_time, "first"),
                Sending(self._at(key, due, entry["days"]), "revision"),
            ]
        return [Sending(on_time, "first")]

    def check_all_used(self) -> None:
        unused = sorted(set(self.entries) - self.used)
        if unused:
            raise ValueError(f"demo receipts name files nobody owes: {unused}")

    def _at(self, key, due: date, days: int | None, deadline_days: int = 0) -> datetime:
        """A working-hours time ``days`` from ``due``; by default some days before it, and
        never before the period ended (``deadline_days`` before the due date)."""
        rng = random.Random(f"{self.seed}:{':'.join(key)}:{days}")
        if days is None:
            days = -rng.randint(2, max(2, deadline_days * 2 // 3))
        day = due + timedelta(days=days)
        return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59),
                        tzinfo=UTC)  # fmt: skip
