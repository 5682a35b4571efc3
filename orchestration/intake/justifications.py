"""A reviewer's « justifié » on a quality warning: kept append-only, shown on the receipt.

``$SDSF_HOME/quality/justifications.jsonl`` holds one JSON record a line (warning, submission,
line, rule, comment, who, at); nothing is rewritten, a later record for the same warning is the
one shown. The audit trail records each as ``warning_justified``. The receipt of the file (its
manifest, JSON and text) is published again with the justification beside the warning.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from orchestration import audit
from orchestration.intake.quality import warning_id
from orchestration.intake.store import SubmissionStore, atomic_write


class JustificationRefused(ValueError):
    """Why a justification cannot be recorded, in French; nothing was written."""


def justifications_path(home: Path) -> Path:
    return Path(home) / "quality" / "justifications.jsonl"


def read_justifications(home: Path) -> dict[str, dict]:
    """Warning id -> its latest justification."""
    path = justifications_path(home)
    if not path.exists():
        return {}
    latest = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            latest[entry["warning"]] = entry
    return latest


def justify(home: Path, warning: str, comment: str, actor: audit.Actor | None = None) -> dict:
    """Mark the quality warning ``warning`` (``<submission>:<line>:<rule>``) as justified."""
    comment = (comment or "").strip()
    if not comment:
        raise JustificationRefused(
            "Justification refusée : un commentaire est obligatoire (--comment « … »)."
        )
    submission, _, rest = warning.partition(":")
    line_text, _, rule = rest.partition(":")
    store = SubmissionStore(home)
    if not submission or not (store.manifests / f"{submission}.json").is_file():
        raise JustificationRefused(
            f"Justification refusée : aucun fichier reçu n'a l'identifiant « {submission} »."
        )
    sub = store.get(submission)
    manifest = sub.manifest()
    record = manifest.get("receipt") or {}
    matches = [
        w
        for w in record.get("warnings", [])
        if w.get("severity") and warning_id(submission, w.get("line"), w["rule"]) == warning
    ]
    if not matches:
        raise JustificationRefused(
            f"Justification refusée : le fichier « {submission} » n'a pas d'avertissement de "
            f"qualité « {rule or '?'} » à la ligne {line_text or '?'}."
        )
    actor = actor or audit.local_actor()
    entry = {
        "warning": warning,
        "submission": submission,
        "line": matches[0]["line"],
        "rule": matches[0]["rule"],
        "comment": comment[:1000],
        "who": actor.who,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = justifications_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    audit.record(
        home, "warning_justified", actor, partner=sub.partner, subject=warning, comment=comment
    )
    _republish(store, sub, manifest, read_justifications(home))
    return entry


def keep_on_receipt(home: Path, sub) -> None:
    """After a file is judged again (a backfill), its justified warnings keep their mark."""
    justified = read_justifications(home)
    if any(key.startswith(f"{sub.submission_id}:") for key in justified):
        _republish(SubmissionStore(home), sub, sub.manifest(), justified)


def attach(record: dict, submission: str, justifications: dict[str, dict]) -> dict:
    """A receipt record with each justified warning carrying its justification."""
    for w in record.get("warnings", []):
        found = justifications.get(warning_id(submission, w.get("line"), w.get("rule", "")))
        if found and w.get("severity"):
            w["justification"] = {k: found[k] for k in ("comment", "who", "at")}
    return record


def _republish(store: SubmissionStore, sub, manifest: dict, justifications) -> None:
    record = attach(manifest["receipt"], sub.submission_id, justifications)
    folder = store.receipts / sub.partner
    text_path = folder / f"{sub.submission_id}.txt"
    text = text_path.read_text(encoding="utf-8").split("\nJustifications :\n")[0]
    lines = [
        f"  - ligne {w['line']}, règle {w['rule']} : justifié par {w['justification']['who']} "
        f"le {w['justification']['at'][:10]} — {w['justification']['comment']}"
        for w in record.get("warnings", [])
        if "justification" in w
    ]
    atomic_write(
        text_path, (text.rstrip("\n") + "\n\nJustifications :\n" + "\n".join(lines) + "\n").encode()
    )
    atomic_write(
        folder / f"{sub.submission_id}.json",
        json.dumps(record, ensure_ascii=False, indent=2).encode(),
    )
    manifest["receipt"] = record
    atomic_write(sub.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
