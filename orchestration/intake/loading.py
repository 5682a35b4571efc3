"""Raw tables of the warehouse and the transactional load of one accepted submission."""

from __future__ import annotations

import duckdb
import pandas as pd

from models import CONTRACTS
from models.common import columns_of
from orchestration.intake.holds import ensure_holds_table
from orchestration.intake.receipt import Receipt
from orchestration.intake.revisions import ensure_counted_revisions
from orchestration.intake.store import StoredSubmission

_SQL_TYPES = {"count": "bigint", "decimal": "double", "yes_no": "boolean", "date": "date"}
_LINEAGE_COLUMNS = [
    ("submission_id", "varchar"),
    ("partner_code", "varchar"),
    ("received_at", "timestamp"),
    ("line", "integer"),
]
_PERIOD_COLUMNS = [
    ("period_type", "varchar"),
    ("period_year", "integer"),
    ("period_start", "date"),
    ("period_end", "date"),
]


def raw_columns(kind: str) -> list[tuple[str, str]]:
    """Columns of ``raw.<kind>``: lineage, the contract's columns typed, the parsed period."""
    contract_cols = [
        (name, _SQL_TYPES.get(meta["kind"], "varchar"))
        for name, meta in columns_of(CONTRACTS[kind]).items()
    ]
    return _LINEAGE_COLUMNS + contract_cols + _PERIOD_COLUMNS


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema's submission tables, and the table of held files, when missing,
    and the rule of which revisions count over them (idempotent)."""
    con.execute("create schema if not exists raw")
    con.execute(
        """
        create table if not exists raw.submissions (
            submission_id varchar primary key,
            partner_code varchar not null,
            kind varchar,
            file_name varchar,
            sha256 varchar not null,
            received_at timestamp not null,
            status varchar not null,
            rows_read integer,
            error_count integer,
            warning_count integer,
            periods varchar[],
            loaded_at timestamp default current_timestamp
        )
        """
    )
    for kind in CONTRACTS:
        cols = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_columns(kind))
        con.execute(f"create table if not exists raw.{kind} ({cols})")
    ensure_holds_table(con)  # the lock at intake's table, which the revisions that count read
    ensure_counted_revisions(con)


def is_loaded(con: duckdb.DuckDBPyConnection, submission_id: str) -> bool:
    found = con.execute(
        "select count(*) from raw.submissions where submission_id = ?", [submission_id]
    ).fetchone()
    return bool(found and found[0])


def load_submission(
    con: duckdb.DuckDBPyConnection,
    sub: StoredSubmission,
    receipt: Receipt,
    frame: pd.DataFrame | None,
    *,
    replace: bool = False,
) -> int:
    """Record the submission and, if accepted, its rows, all in one transaction.

    Returns the number of rows loaded. A second call for the same submission does nothing,
    unless ``replace``: then what the warehouse held for it is swapped for this outcome in the
    same transaction (a file judged again after the references changed).
    """
    if not replace and is_loaded(con, sub.submission_id):
        return 0
    received = pd.Timestamp(sub.received_at).tz_convert("UTC").tz_localize(None)
    loaded = 0
    con.begin()
    try:
        if replace:
            for table in ("submissions", *CONTRACTS):
                con.execute(f"delete from raw.{table} where submission_id = ?", [sub.submission_id])
        con.execute(
            """
            insert into raw.submissions (
                submission_id, partner_code, kind, file_name, sha256, received_at, status,
                rows_read, error_count, warning_count, periods
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                sub.submission_id,
                sub.partner,
                sub.kind,
                sub.file_name,
                sub.sha256,
                received.to_pydatetime(),
                "acceptee" if receipt.accepted else "rejetee",
                receipt.rows,
                len(receipt.errors),
                len(receipt.warnings),
                receipt.periods,
            ],
        )
        if receipt.accepted and frame is not None and sub.kind:
            rows = frame.copy()
            rows.insert(0, "submission_id", sub.submission_id)
            rows.insert(1, "partner_code", sub.partner)
            rows.insert(2, "received_at", received)
            if "atypical_hours" in rows:
                rows["atypical_hours"] = rows["atypical_hours"].map(
                    {"oui": True, "non": False}, na_action="ignore"
                )
            names = [name for name, _ in raw_columns(sub.kind)]
            con.register("_incoming", rows[names])
            casts = ", ".join(f"cast({n} as {t})" for n, t in raw_columns(sub.kind))
            con.execute(f"insert into raw.{sub.kind} select {casts} from _incoming")
            con.unregister("_incoming")
            loaded = len(rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return loaded
