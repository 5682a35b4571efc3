"""Files sent through the portal enter the intake exactly as `sdsf submit` sends them.

The only difference is speed: the reference data a file is checked against (the COG, the
schemes, the partner registry) takes a second or two to load, so the portal keeps it and
reloads it when a source file changes or when it is older than ``max_age`` seconds.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from datetime import date
from pathlib import Path

from orchestration import reference as intake_reference
from orchestration import territories
from orchestration.audit import Actor
from orchestration.intake.receipt import Receipt
from orchestration.intake.service import receive_file
from orchestration.intake.store import StoredSubmission
from orchestration.intake.validation import DEFAULT_MAX_BYTES, ReferenceData
from orchestration.settings import deployment

DEFAULT_REFERENCE_MAX_AGE = 300
# Validation is CPU-bound: beyond one file per core, concurrent uploads only queue in memory.
_VALIDATING = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def max_upload_bytes() -> int:
    """The upload limit: ``$SDSF_PORTAL_MAX_BYTES``, by default the intake's own limit."""
    value = os.environ.get("SDSF_PORTAL_MAX_BYTES")
    return int(value) if value else DEFAULT_MAX_BYTES


class ReferenceCache:
    """The intake's reference data and partner rules, loaded once and refreshed when stale."""

    def __init__(self, max_age: float = DEFAULT_REFERENCE_MAX_AGE, max_bytes: int | None = None):
        self.max_age = max_age
        self.max_bytes = max_bytes or max_upload_bytes()
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._fingerprint: tuple | None = None
        self._reference: ReferenceData | None = None
        self._rules: dict[str, set[str]] | None = None
        self._cog_dir: Path | None = None

    def _source_files(self) -> list[Path]:
        files = deployment().files()
        if self._cog_dir is not None:
            files += sorted(self._cog_dir.glob("*.json"))
        return files

    def _current_fingerprint(self) -> tuple:
        return tuple((str(p), p.stat().st_mtime_ns) for p in self._source_files() if p.exists())

    def load(self) -> tuple[ReferenceData, dict[str, set[str]]]:
        """Shared reference (no partner-specific part) and partner rules, fresh enough."""
        with self._lock:
            stale = (
                self._reference is None
                or time.monotonic() - self._loaded_at > self.max_age
                or self._current_fingerprint() != self._fingerprint
            )
            if stale:
                self._cog_dir = territories.ensure_territory_package()
                self._fingerprint = self._current_fingerprint()
                self._reference = intake_reference.reference_for_validation()
                self._rules = intake_reference.partner_kinds()
                self._loaded_at = time.monotonic()
            return self._reference, self._rules

    def for_partner(self, partner: str) -> tuple[ReferenceData, dict[str, set[str]]]:
        """What a file of ``partner`` is checked against today (as `sdsf submit` checks it)."""
        shared, rules = self.load()
        reference = dataclasses.replace(
            shared,
            # Structures the partner declared in the warehouse: read each time, it changes
            # with every run and the query is cheap.
            known_structures=intake_reference.known_structures(partner),
            today=date.today(),
            max_bytes=self.max_bytes,
        )
        return reference, rules


def receive_upload(
    home: Path,
    data: bytes,
    *,
    partner: str,
    kind: str,
    file_name: str,
    cache: ReferenceCache,
    actor: Actor,
    event: str = "file_received",
) -> tuple[StoredSubmission, Receipt, bool]:
    """Store the file, validate it, record its receipt; returns also whether it was new.

    ``receive_file`` as `sdsf submit` calls it, with the cached references; the audit trail
    records ``event`` and the receipt as done by ``actor``.
    """
    reference, rules = cache.for_partner(partner)
    with _VALIDATING:
        sub, receipt, created = receive_file(
            home,
            data,
            partner=partner,
            kind=kind,
            file_name=file_name,
            reference=reference,
            rules=rules,
            actor=actor,
            event=event,
        )
    return sub, receipt, created
