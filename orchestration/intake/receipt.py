"""The receipt every received file gets: what a partner reads to fix or confirm a submission."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from orchestration import vocabulary
from orchestration.approvals import HELD

# A receipt lists at most this many errors (and as many warnings); the rest are summarised, so a
# million-row file full of mistakes still gives a readable answer.
MAX_LISTED_ISSUES = 500


@dataclass(frozen=True)
class Issue:
    """One problem found in a file: where it is, what was there, which rule, and why in French."""

    rule: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    # Data-quality rules across files (intake/quality.py): a code of ``issue_severities``, and
    # the value of the previous period the value is compared with. Left out of the JSON when
    # unset, so receipts of in-file checks keep their shape.
    severity: str | None = None
    previous_value: str | None = None
    previous_period: str | None = None

    def to_dict(self) -> dict[str, Any]:
        shape = {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "message": self.message,
        }
        for key in ("severity", "previous_value", "previous_period"):
            if getattr(self, key) is not None:
                shape[key] = getattr(self, key)
        return shape


@dataclass
class Receipt:
    """Outcome of validating one file. ``to_dict`` is the public JSON shape."""

    kind: str
    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    file_name: str | None = None
    partner: str | None = None
    submission_id: str | None = None
    received_at: str | None = None
    sha256: str | None = None
    periods: list[str] = field(default_factory=list)
    status: str | None = None
    # Errors found but not kept (a file wrong on every row): counted, never listed.
    errors_not_listed: int = 0
    warnings_not_listed: int = 0
    # The approved scheme periods that hold this accepted file (approvals.holds_of), as
    # {scheme, period, approved_at}: its rows are kept but count only after an unlock.
    holds: list[dict[str, str]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_not_listed

    @property
    def accepted(self) -> bool:
        return not self.errors and not self.errors_not_listed

    @property
    def verdict(self) -> str:
        """The file's code of ``submission_statuses``: accepted, held (accepted, waiting for an
        unlock) or rejected."""
        if not self.accepted:
            return "rejetee"
        return HELD if self.holds else "acceptee"

    def to_dict(self) -> dict[str, Any]:
        """The receipt as documented: accepted, kind, rows, errors, warnings."""
        return {
            "accepted": self.accepted,
            "kind": self.kind,
            "rows": self.rows,
            "errors": [
                i.to_dict() for i in _capped(self.errors, "erreurs", self.errors_not_listed)
            ],
            "warnings": [
                i.to_dict()
                for i in _capped(self.warnings, "avertissements", self.warnings_not_listed)
            ],
            **({"holds": self.holds} if self.holds else {}),
        }

    def to_record(self) -> dict[str, Any]:
        """The receipt plus where the file came from, as stored beside the file."""
        record = self.to_dict()
        record["submission"] = {
            k: v
            for k, v in asdict(self).items()
            if k in {"file_name", "partner", "submission_id", "received_at", "sha256", "periods"}
        }
        record["submission"]["status"] = self.status or self.verdict
        return record

    def to_json(self, *, full: bool = False) -> str:
        payload = self.to_record() if full else self.to_dict()
        return json.dumps(payload, ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        """A short French text a partner can read without help."""
        label = vocabulary.label("submission_kinds", self.kind)
        name = f" « {self.file_name} »" if self.file_name else ""
        lines = [f"Accusé de réception — fichier{name} ({label})"]
        if self.partner:
            lines.append(f"Partenaire : {self.partner}")
        if self.received_at:
            lines.append(f"Reçu le : {self.received_at}")
        if self.status == "doublon":
            lines.append(
                "Ce fichier a déjà été reçu à l'identique : il n'est pas traité une seconde fois."
            )
        if self.accepted:
            lines.append(f"Résultat : ACCEPTÉ — {self.rows} ligne(s) lue(s).")
        else:
            lines.append(
                f"Résultat : REFUSÉ — {self.rows} ligne(s) lue(s), {self.error_count} erreur(s). "
                "Aucune donnée de ce fichier n'a été chargée : corrigez les erreurs ci-dessous "
                "et renvoyez le fichier complet."
            )
        lines += [hold_message(hold) for hold in self.holds]
        for title, issues, unlisted in (
            ("Erreurs", self.errors, self.errors_not_listed),
            ("Avertissements", self.warnings, self.warnings_not_listed),
        ):
            if not issues:
                continue
            lines.append("")
            lines.append(f"{title} :")
            for issue in _capped(issues, title.lower(), unlisted):
                lines.append("  - " + _describe(issue))
        return "\n".join(lines) + "\n"


def _describe(issue: Issue) -> str:
    where = []
    if issue.line is not None:
        where.append(f"ligne {issue.line}")
    if issue.column:
        where.append(f"colonne « {issue.column} »")
    if issue.value is not None:
        where.append(f"valeur « {issue.value} »")
    prefix = ", ".join(where)
    return f"{prefix} : {issue.message}" if prefix else issue.message


def _capped(issues: list[Issue], noun: str, unlisted: int = 0) -> list[Issue]:
    if len(issues) <= MAX_LISTED_ISSUES and not unlisted:
        return issues
    rest = max(len(issues) - MAX_LISTED_ISSUES, 0) + unlisted
    return [
        *issues[:MAX_LISTED_ISSUES],
        Issue(rule="more_issues", message=f"… et {rest} autres {noun} non détaillées."),
    ]


def hold_message(hold: dict[str, str]) -> str:
    """The French sentence of a receipt (text, portal page) for one approved period holding it."""
    return (
        "En attente — période validée : fichier conservé, en attente de déverrouillage "
        f"(schéma « {hold['scheme']} », période {hold['period']}). Ses données ne "
        "compteront qu'après le déverrouillage de la période : inutile de le renvoyer."
    )
