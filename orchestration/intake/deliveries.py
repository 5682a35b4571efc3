"""Deliveries: the files stored together, which intake validates and loads as one unit.

A delivery is every stored file no earlier delivery holds, gathered when `sdsf run` starts or
the drop-folder sensor ticks: the demo's first refresh is one delivery, fifty files on a busy
morning are one, a partner's single file later is one. Dagster tracks each delivery as a
partition of the intake assets (orchestration/defs/intake/partitions.py), so the instance holds
a handful of materializations per delivery whatever the number of files: one partition per file
cost 80,904 materializations, and half an hour of Dagster's bookkeeping, for the 16,160 files
of every département over ten years.

Layout under ``$SDSF_HOME``: ``store/deliveries/<key>.json`` names the delivery's submissions
in the order they were stored. Keys sort in the order deliveries were made
(``<UTC time>-<digest of the files>``), and a delivery is written once and never changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from orchestration.intake.store import SubmissionStore, atomic_write


def deliveries_dir(home: Path) -> Path:
    return Path(home) / "store" / "deliveries"


def deliveries(home: Path) -> dict[str, list[str]]:
    """Every delivery's submission ids, by key, oldest delivery first."""
    folder = deliveries_dir(home)
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob("*.json")):
        found[path.stem] = json.loads(path.read_text(encoding="utf-8"))["submissions"]
    return found


def delivery_of(home: Path) -> dict[str, str]:
    """The delivery key of every delivered submission."""
    return {sub: key for key, subs in deliveries(home).items() for sub in subs}


def files_of(home: Path, keys: Iterable[str]) -> list[str]:
    """The submissions of the deliveries ``keys``, delivery by delivery, in stored order."""
    known = deliveries(home)
    missing = [k for k in keys if k not in known]
    if missing:
        raise KeyError(f"no such delivery in {deliveries_dir(home)}: {', '.join(missing)}")
    return [sub for key in keys for sub in known[key]]


def undelivered(home: Path) -> list[str]:
    """Stored submissions no delivery holds yet, oldest first."""
    delivered = delivery_of(home)
    return [
        s.submission_id for s in SubmissionStore(home).all() if s.submission_id not in delivered
    ]


def deliver(home: Path, *, now: datetime | None = None) -> str | None:
    """Gather the stored files no delivery holds into a new delivery; returns its key, or None
    when every stored file is delivered already."""
    subs = undelivered(home)
    if not subs:
        return None
    when = (now or datetime.now(UTC)).astimezone(UTC)
    digest = hashlib.sha256(" ".join(subs).encode()).hexdigest()[:12]
    key = f"{when:%Y%m%d-%H%M%S}-{digest}"
    record = {"delivery": key, "made_at": when.isoformat(), "submissions": subs}
    atomic_write(deliveries_dir(home) / f"{key}.json", json.dumps(record, indent=1).encode())
    return key
