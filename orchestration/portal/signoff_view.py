"""What the sign-off pages show: each period of a scheme with its files and state, and the
quality warnings of the files received.

The expected files come from the warehouse the last refresh wrote, through the same functions
as `sdsf approve` (orchestration/signoff_commands.py); states from the approval store
(orchestration/approvals.py); warnings from the receipts kept in the store, with their
« justifié » marks (orchestration/intake/justifications.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration import approvals
from orchestration.intake.justifications import read_justifications
from orchestration.intake.quality import warning_id
from orchestration.signoff_commands import (
    expected_files,
    missing_names,
    scheme_years,
    warehouse_connection,
)


@dataclass(frozen=True)
class PeriodRow:
    """One period of a scheme as the periods page shows it."""

    scheme: str
    period: str
    expected: int
    received: int
    missing: list[str]  # "partner kind period" of each expected file not received
    warnings: int  # quality warnings of the files in force for the period
    to_review: int  # of which not marked « justifié »
    state: str  # a code of approval_states
    step: dict | None  # the last sign-off step written, if any


def period_rows(home: Path, manifests: dict[str, dict], schemes: list[str] | None):
    """The rows of every period of ``schemes`` (None: every scheme the warehouse knows), or
    None when the warehouse has not been refreshed with schemes yet."""
    import duckdb

    justified = read_justifications(home)
    steps = approvals.states(home)
    with warehouse_connection() as con:
        if con is None:
            return None
        try:
            years = scheme_years(con)
            rows = []
            for scheme in sorted(years) if schemes is None else schemes:
                if scheme not in years:
                    continue
                first, last = years[scheme]
                for year in range(first, last + 1):
                    files = expected_files(con, scheme, str(year))
                    rows.append(_row(scheme, str(year), files, manifests, justified, steps))
        except duckdb.CatalogException:  # no scheme tables yet: nothing to sign off
            return None
    return rows


def _row(scheme, period, files, manifests, justified, steps) -> PeriodRow:
    in_force = {_in_force(f["submission_ids"], manifests) for f in files if not f["missing"]}
    warnings = [w for sid in in_force - {None} for w in quality_warnings(manifests[sid])]
    step = steps.get((scheme, period))
    return PeriodRow(
        scheme=scheme,
        period=period,
        expected=len(files),
        received=sum(not f["missing"] for f in files),
        missing=missing_names(files),
        warnings=len(warnings),
        to_review=sum(w["id"] not in justified for w in warnings),
        state=step["state"] if step else approvals.NOT_REVIEWED,
        step=step,
    )


def _in_force(submission_ids, manifests: dict[str, dict]) -> str | None:
    """The latest accepted file among those received for an expected period."""
    accepted = [
        manifests[s]
        for s in submission_ids or ()
        if s in manifests and manifests[s].get("status") == "acceptee"
    ]
    return max(accepted, key=lambda m: m["received_at"])["submission_id"] if accepted else None


def quality_warnings(manifest: dict) -> list[dict]:
    """The quality-rule warnings of a file's receipt (those a reviewer may mark « justifié »),
    each with its ``id``."""
    receipt = manifest.get("receipt") or {}
    sid = manifest["submission_id"]
    return [
        {**w, "id": warning_id(sid, w.get("line"), w["rule"])}
        for w in receipt.get("warnings", [])
        if w.get("severity") and w.get("rule")
    ]


def warning_rows(manifests: dict[str, dict]) -> list[dict]:
    """Every quality warning of the accepted files, newest file first, with its file."""
    rows = []
    ordered = sorted(manifests.values(), key=lambda m: m["received_at"], reverse=True)
    for m in ordered:
        if m.get("status") != "acceptee":
            continue
        for w in quality_warnings(m):
            rows.append({**w, "manifest": m})
    return rows
