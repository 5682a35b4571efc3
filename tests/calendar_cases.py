"""The submission calendar's cases (tests/calendar_cases.yaml), read once for every test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from orchestration import calendar

CASES_PATH = Path(__file__).with_name("calendar_cases.yaml")
PARTNER, KIND, DEPARTEMENT = "P1", "attendance", "40"


@dataclass(frozen=True)
class Case:
    name: str
    cadence: str
    deadline_days: int
    years: tuple[int, ...]
    today: date
    files: tuple[dict, ...]
    expected: dict[str, str]
    to_correct: frozenset[str]

    def submission_id(self, i: int) -> str:
        return f"{PARTNER}-{KIND}-{i:016x}"

    def received_at(self, file: dict) -> datetime:
        return datetime.fromisoformat(file["received"]).replace(hour=10)

    def calendar_files(self) -> list[calendar.File]:
        return [
            calendar.File(
                self.submission_id(i), self.received_at(f), f["accepted"], tuple(f["periods"])
            )
            for i, f in enumerate(self.files)
        ]

    def manifests(self) -> list[dict]:
        """The files as the store's manifests record them."""
        return [
            {
                "submission_id": self.submission_id(i),
                "partner": PARTNER,
                "kind": KIND,
                "status": "acceptee" if f["accepted"] else "rejetee",
                "received_at": f"{self.received_at(f).isoformat()}.000000+00:00",
                "periods": list(f["periods"]),
            }
            for i, f in enumerate(self.files)
        ]


def load_cases() -> list[Case]:
    data = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))
    return [
        Case(
            name=c["name"],
            cadence=c["cadence"],
            deadline_days=int(c["deadline_days"]),
            years=tuple(c["years"]),
            today=date.fromisoformat(c["today"]),
            files=tuple(c.get("files") or ()),
            expected={str(k): v for k, v in c["expected"].items()},
            to_correct=frozenset(str(p) for p in c.get("to_correct") or ()),
        )
        for c in data["cases"]
    ]


CASES = load_cases()
