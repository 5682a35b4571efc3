"""Intake as users drive it: the drop folder, `sdsf submit`, and processing what is stored.

The store is the source of truth: files are first kept, then validated and loaded. Processing
looks for stored submissions the warehouse has not recorded yet, so a crash between the two
steps is finished by the next run and nothing is processed twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import duckdb

from models import CONTRACTS
from models.common import columns_of, normalise_header
from orchestration import audit, vocabulary
from orchestration.calendar import Period, parse_period
from orchestration.intake.action_reports import action_references_from_warehouse
from orchestration.intake.holds import Lock, mark_receipt
from orchestration.intake.justifications import keep_on_receipt
from orchestration.intake.loading import ensure_raw_tables, is_loaded, load_submission
from orchestration.intake.parallel import validated
from orchestration.intake.quality import apply_rules, load_rules
from orchestration.intake.reading import UnreadableFile, read_table
from orchestration.intake.receipt import Issue, Receipt
from orchestration.intake.store import StoredSubmission, SubmissionStore
from orchestration.intake.validation import ReferenceData, header_counter, validate_bytes

# Placements first: attendance rows are checked against the structures placements declare.
_KIND_ORDER = {"placements": 0, "attendance": 1, "beneficiaries": 2, "action_reports": 3}


@dataclass
class Outcome:
    """What happened to one stored submission during processing."""

    submission: StoredSubmission
    receipt: Receipt
    rows_loaded: int
    receipt_path: Path


def processing_order(sub: StoredSubmission) -> tuple:
    """Placements, then attendance, beneficiaries, action reports; within a kind, oldest first."""
    return (_KIND_ORDER.get(sub.kind or "", 9), sub.received_at, sub.submission_id)


def detect_kind(data: bytes) -> str | None:
    """The kind whose required columns the file's header holds, if exactly one fits (the
    header found below title rows, as validation finds it)."""
    try:
        header = read_table(data, known=header_counter()).header
    except UnreadableFile:
        return None
    keys = {normalise_header(h) for h in header}
    fits = [
        kind
        for kind, contract in CONTRACTS.items()
        if all(
            normalise_header(meta["fr"]) in keys
            for meta in columns_of(contract).values()
            if meta["required"]
        )
    ]
    return fits[0] if len(fits) == 1 else None


def collect_inbox(home: Path) -> list[StoredSubmission]:
    """Move files from ``inbox/<partner>/[<kind>/]`` into the store; returns the new ones.

    A file leaves the inbox only once its copy and manifest are safely in the store.
    """
    inbox = Path(home) / "inbox"
    store = SubmissionStore(home)
    new = []
    if not inbox.exists():
        return new
    for path in sorted(inbox.glob("*/**/*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(inbox).parts
        partner = relative[0]
        kind = relative[1] if len(relative) > 2 and relative[1] in CONTRACTS else None
        data = path.read_bytes()
        kind = kind or detect_kind(data)
        sub, created = store.put(data, partner=partner, kind=kind, file_name=path.name)
        audit.record_arrival(home, sub, audit.local_actor("inbox"), created=created)
        if created:
            new.append(sub)
        path.unlink()
    return new


def reference_from_warehouse(
    con: duckdb.DuckDBPyConnection, *, today: date | None = None
) -> ReferenceData:
    """Reference data for validation, from what the warehouse's raw reference tables hold."""
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }

    def codes(sql: str) -> frozenset[str]:
        return frozenset(r[0] for r in con.execute(sql).fetchall())

    ref = ReferenceData(today=today or date.today())
    if "communes" in tables:
        ref.commune_codes = codes("select commune_code from raw.communes")
    if "epci" in tables:
        ref.epci_codes = codes("select epci_siren from raw.epci")
    if "actions" in tables:
        ref.action_codes = codes("select action_code from raw.actions")
    if {"actions", "action_partners", "action_milestones", "schemes"} <= tables:
        ref.actions = action_references_from_warehouse(con)
    if {"schemes", "indicators"} <= tables:
        first, last = con.execute(
            """
            select least(min(s.start_year), min(i.baseline_year)), max(s.end_year)
            from raw.schemes as s left join raw.indicators as i using (scheme_id)
            """
        ).fetchone()
        if first is not None:
            ref.years = (int(first), int(last))
    return ref


def partner_rules(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]] | None:
    """Partner code -> kinds it sends, from the registry loaded in the warehouse."""
    try:
        rows = con.execute("select partner_code, kind from raw.partner_submissions").fetchall()
        partners = con.execute("select partner_code from raw.partners").fetchall()
    except duckdb.CatalogException:
        return None
    rules: dict[str, set[str]] = {p[0]: set() for p in partners}
    for partner, kind in rows:
        rules.setdefault(partner, set()).add(kind)
    return rules


class Received(NamedTuple):
    submission: StoredSubmission
    receipt: Receipt
    created: bool  # False when the same partner had sent the very same content before


def receive_file(
    home: Path,
    data: bytes,
    *,
    partner: str,
    kind: str,
    file_name: str,
    reference: ReferenceData | None = None,
    rules: dict[str, set[str]] | None = None,
    received_at: datetime | None = None,
    actor: audit.Actor | None = None,
    event: str = "file_received",
) -> Received:
    """Keep a file a partner sends (`sdsf submit`, the portal) and answer with its receipt.

    ``received_at`` (UTC, default now) is for files whose day of arrival is known from elsewhere.
    The audit trail records the arrival as ``event`` (a code of ``audit_events``) and the
    receipt, both done by ``actor`` (default: this process's user, from the command line).

    The file is stored first, whatever it holds. The receipt checks it against ``reference``
    and the registry's ``rules``, by default read from the repository's sources (schemes,
    registry, geography) and, when the warehouse can be read, the structures the partner
    declared; the run that loads it validates it again against the warehouse. An accepted file
    reporting a period approved before it came is held (intake/holds.py): its receipt says so.
    """
    from orchestration.reference import partner_kinds, reference_for_validation

    store = SubmissionStore(home)
    sub, created = store.put(
        data, partner=partner, kind=kind, file_name=file_name, received_at=received_at
    )
    actor = actor or audit.local_actor()
    audit.record_arrival(home, sub, actor, created=created, event=event)
    if reference is None:
        reference = reference_for_validation(partner=partner)
    receipt, _ = validate_submission(sub, reference, partner_kinds() if rules is None else rules)
    mark_receipt(Lock(home), sub, receipt)
    store.record_receipt(sub, receipt, actor)
    return Received(sub, receipt, created)


def validate_submission(
    sub: StoredSubmission,
    reference: ReferenceData,
    rules: dict[str, set[str]] | None,
):
    """Validate a stored file with everything known about its sender."""
    receipt_issue = _registry_issue(sub, rules)
    if receipt_issue:
        receipt = Receipt(kind=sub.kind or "inconnu", errors=[receipt_issue])
        return receipt, None
    if reference.partner != sub.partner:
        reference = replace(reference, partner=sub.partner)  # action reports: who may report
    result = validate_bytes(
        sub.read_bytes(), sub.kind, reference=reference, file_name=sub.file_name
    )
    return result.receipt, result.frame


def _registry_issue(sub: StoredSubmission, rules) -> Issue | None:
    if sub.kind is None:
        return Issue(
            rule="unknown_kind",
            message="Type de fichier non reconnu : ses colonnes ne correspondent à aucun modèle "
            f"({', '.join(vocabulary.labels('submission_kinds').values())}). Utilisez le modèle "
            "CSV fourni.",
        )
    if rules is None:
        return None
    if sub.partner not in rules:
        return Issue(
            rule="unknown_partner",
            message=f"Partenaire « {sub.partner} » inconnu du registre des partenaires.",
        )
    if sub.kind not in rules[sub.partner]:
        return Issue(
            rule="kind_not_expected",
            message=f"Le partenaire « {sub.partner} » n'est pas déclaré pour envoyer des fichiers "
            f"de type « {sub.kind} ».",
        )
    return None


def process_submissions(
    home: Path,
    con: duckdb.DuckDBPyConnection,
    submission_ids: list[str],
    *,
    today: date | None = None,
    reprocess: frozenset[str] = frozenset(),
    progress: Callable[[int, int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Validate, receipt and load the stored submissions named; those loaded already are skipped
    unless in ``reprocess``: those are judged again and their rows replaced.

    Placements go first, so that attendance files sent together with them find their structures.
    ``progress(done, total, outcome)`` is called after each file.
    """
    ensure_raw_tables(con)
    store = SubmissionStore(home)
    unknown = [i for i in submission_ids if not (store.manifests / f"{i}.json").is_file()]
    if unknown:
        raise KeyError(f"not in the submission store {store.manifests}: {', '.join(unknown)}")
    todo = [store.get(i) for i in dict.fromkeys(submission_ids)]
    todo = [s for s in todo if s.submission_id in reprocess or not is_loaded(con, s.submission_id)]
    todo.sort(key=processing_order)
    reference = reference_from_warehouse(con, today=today)
    rules = partner_rules(con)
    quality_rules = load_rules()
    actor = audit.local_actor("pipeline")
    lock = Lock(home)
    outcomes = []

    def structures_of(partner: str) -> frozenset[str]:
        return frozenset(
            r[0]
            for r in con.execute(
                "select distinct structure_code from raw.placements where partner_code = ?",
                [partner],
            ).fetchall()
        )

    # Validated ahead on every core for many files; loaded here, in order (intake/parallel.py).
    for sub, receipt, frame in validated(todo, reference, rules, structures_of):
        if receipt.accepted and frame is not None:  # across files and years: warnings
            apply_rules(
                con,
                quality_rules,
                kind=sub.kind,
                partner=sub.partner,
                submission_id=sub.submission_id,
                frame=frame,
                receipt=receipt,
            )
            frame = frame if receipt.accepted else None  # a blocking rule refused it
        mark_receipt(lock, sub, receipt)
        receipt_path = store.record_receipt(sub, receipt, actor)
        keep_on_receipt(home, sub)
        loaded = load_submission(con, sub, receipt, frame, replace=sub.submission_id in reprocess)
        outcomes.append(Outcome(sub, receipt, loaded, receipt_path))
        if progress is not None:
            progress(len(outcomes), len(todo), outcomes[-1])
    return outcomes


def submissions_in_periods(home: Path, first: Period, last: Period) -> list[str]:
    """Stored submissions whose periods overlap ``first``..``last`` (by their dates)."""
    out = []
    for sub in SubmissionStore(home).all():
        periods = [parse_period(code) for code in sub.manifest().get("periods") or []]
        if any(p and p.start <= last.end and p.end >= first.start for p in periods):
            out.append(sub.submission_id)
    return out
