"""The publication file the Evidence site reads: a copy of the marts, never the live warehouse."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

PUBLISHED_MARTS = (
    "fct_indicator_values",
    "dim_schemes",
    "dim_indicators",
    "dim_axes",
    "dim_actions",
    "dim_territories",
    "dim_partners",
    "dim_priority_territories",
    "fct_action_progress",
    "fct_axis_progress",
    "fct_scheme_progress",
    "fct_territorial_inequality",
    "fct_submission_completeness",
    "fct_submission_timeliness",
    "dim_vocabulary",
)
# Evidence's DuckDB (1.4) cannot read the newer default storage format of Python duckdb 2.0.
EVIDENCE_STORAGE_VERSION = "v1.4.0"


def write_publication(
    warehouse: Path, target: Path, *, threshold: int | None = None
) -> tuple[dict[str, int], str]:
    """Copy the published marts into ``target`` atomically, statistical secrecy applied.

    ``threshold`` defaults to ``secrecy.secret_threshold()``. Returns rows per table and a
    fingerprint of the content (same data, same fingerprint), so what is built from the
    publication can be skipped when nothing changed.
    """
    from orchestration.secrecy import apply_secrecy, secret_threshold

    threshold = secret_threshold() if threshold is None else threshold
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    counts = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        con.execute(f"attach '{tmp}' as pub (storage_version '{EVIDENCE_STORAGE_VERSION}')")
        for name in PUBLISHED_MARTS:
            con.execute(f"create table pub.main.{name} as select * from wh.marts.{name}")
        apply_secrecy(con, warehouse="wh", publication="pub.main", threshold=threshold)
        digest = hashlib.sha256(f"threshold:{threshold};".encode())
        for name in PUBLISHED_MARTS:
            # Rows are unique (primary keys are tested), so an order-free xor of row hashes works.
            rows, content = con.execute(
                f"select count(*), bit_xor(hash(t)) from pub.main.{name} as t"
            ).fetchone()
            counts[name] = rows
            digest.update(f"{name}:{rows}:{content};".encode())
        con.execute("detach pub")
        con.execute("detach wh")
    finally:
        con.close()
    os.replace(tmp, target)
    return counts, digest.hexdigest()
