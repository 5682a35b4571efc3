"""The immutable store of received files: every file kept, by content hash, with its manifest.

Layout under ``$SDSF_HOME``:
  store/files/<sha256>.csv           the bytes as received (read-only once written)
  store/manifests/<submission>.json  who sent it, when, its kind, status and receipt
  receipts/<partner>/<submission>.txt|.json   the receipts partners read

A submission is identified by partner, kind and content hash, so re-sending identical content
maps to the same submission and changes nothing. Every write goes to a temporary file first and
is renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.intake.receipt import Receipt


def atomic_write(path: Path, data: bytes, *, read_only: bool = False) -> None:
    """Write ``data`` to ``path`` so that readers see either nothing or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if read_only:
            os.chmod(tmp, 0o444)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class StoredSubmission:
    """A file in the store and what is known about it."""

    submission_id: str
    partner: str
    kind: str | None
    sha256: str
    file_name: str
    received_at: str
    file_path: Path
    manifest_path: Path

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def read_bytes(self) -> bytes:
        return self.file_path.read_bytes()


class SubmissionStore:
    """Content-addressed storage of partner files under a data directory."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.files = self.home / "store" / "files"
        self.manifests = self.home / "store" / "manifests"
        self.receipts = self.home / "receipts"

    @staticmethod
    def submission_id(partner: str, kind: str | None, sha256: str) -> str:
        return f"{partner}-{kind or 'inconnu'}-{sha256[:16]}"

    def put(
        self,
        data: bytes,
        *,
        partner: str,
        kind: str | None,
        file_name: str,
        received_at: datetime | None = None,
    ) -> tuple[StoredSubmission, bool]:
        """Keep a received file; returns the submission and whether it is new."""
        sha = hashlib.sha256(data).hexdigest()
        sub_id = self.submission_id(partner, kind, sha)
        manifest_path = self.manifests / f"{sub_id}.json"
        file_path = self.files / f"{sha}.csv"
        if manifest_path.exists():
            return self.get(sub_id), False
        if not file_path.exists():
            atomic_write(file_path, data, read_only=True)
        when = (received_at or datetime.now(UTC)).astimezone(UTC)
        manifest = {
            "submission_id": sub_id,
            "partner": partner,
            "kind": kind,
            "sha256": sha,
            "file_name": Path(file_name).name,
            "received_at": when.isoformat(timespec="microseconds"),
            "bytes": len(data),
            "status": "recue",
            "receipt": None,
        }
        atomic_write(manifest_path, _dump(manifest))
        return self.get(sub_id), True

    def get(self, submission_id: str) -> StoredSubmission:
        path = self.manifests / f"{submission_id}.json"
        m = json.loads(path.read_text(encoding="utf-8"))
        return StoredSubmission(
            submission_id=m["submission_id"],
            partner=m["partner"],
            kind=m["kind"],
            sha256=m["sha256"],
            file_name=m["file_name"],
            received_at=m["received_at"],
            file_path=self.files / f"{m['sha256']}.csv",
            manifest_path=path,
        )

    def all(self) -> list[StoredSubmission]:
        """Every stored submission, oldest first."""
        if not self.manifests.exists():
            return []
        subs = [self.get(p.stem) for p in self.manifests.glob("*.json")]
        return sorted(subs, key=lambda s: (s.received_at, s.submission_id))

    def record_receipt(self, sub: StoredSubmission, receipt: Receipt, actor=None) -> Path:
        """Attach the receipt to the manifest and publish it for the partner (JSON and text);
        the audit trail records it, done by ``actor`` (an ``audit.Actor``; default: this
        process's user)."""
        from orchestration import audit  # the trail writes its head with atomic_write

        receipt.partner = sub.partner
        receipt.submission_id = sub.submission_id
        receipt.received_at = sub.received_at
        receipt.sha256 = sub.sha256
        receipt.file_name = sub.file_name
        manifest = sub.manifest()
        manifest["status"] = receipt.verdict
        manifest["receipt"] = receipt.to_record()
        manifest["periods"] = receipt.periods
        receipt.status = manifest["status"]
        folder = self.receipts / sub.partner
        atomic_write(folder / f"{sub.submission_id}.json", receipt.to_json(full=True).encode())
        atomic_write(folder / f"{sub.submission_id}.txt", receipt.to_text().encode())
        atomic_write(sub.manifest_path, _dump(manifest))
        audit.record_receipt(self.home, sub, receipt, actor or audit.local_actor())
        return folder / f"{sub.submission_id}.txt"


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")
