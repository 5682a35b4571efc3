"""Which revision of a partner's files counts: the one home of the rule, as SQL in the warehouse.

Per kind of file, partner and period, the file received last counts (a correction supersedes
the earlier file, which stays in raw for the "as submitted" history); a file the lock at
intake holds (``raw.submission_holds``, orchestration/intake/holds.py) counts for nothing until
its period is unlocked, so the revision before it stays in force. Ties on the time received
are broken by the file's id, so the answer never depends on the order rows were read.

The rule is written once, as a table macro of the warehouse, and read by both layers: the
intake's quality rules (orchestration/intake/quality.py, before dbt runs) through
``raw.counted_revisions_without(<file being judged>)``, and dbt through the view
``raw.counted_revisions`` (source ``locks.counted_revisions``, read by the macro
``latest_revision``).
"""

from __future__ import annotations

import duckdb

from models import CONTRACTS
from orchestration.intake.holds import HOLDS_TABLE

COUNTED_REVISIONS = "raw.counted_revisions"
# The same rule, the file ``judged`` left out as if it had not come: a file judged again
# (``sdsf run --from``) is compared with what counted without it, not with itself.
COUNTED_REVISIONS_WITHOUT = "raw.counted_revisions_without"


def _revisions(kind: str) -> str:
    # One row per file and period it reports: a file's rows share its time received.
    return (
        f"select distinct '{kind}' as submission_kind, submission_id, partner_code, period, "
        f"received_at from raw.{kind}"
    )


def ensure_counted_revisions(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the macro and the view of the revisions that count; the raw tables of every
    kind and the holds table must exist (``loading.ensure_raw_tables``)."""
    revisions = "\n        union all ".join(_revisions(kind) for kind in CONTRACTS)
    con.execute(
        f"""
        create or replace macro {COUNTED_REVISIONS_WITHOUT}(judged) as table
        with revisions as (
            {revisions}
        )
        select submission_kind, submission_id, partner_code, period
        from revisions
        where submission_id is distinct from judged
            and submission_id not in (select held.submission_id from {HOLDS_TABLE} as held)
        qualify dense_rank() over (
            partition by submission_kind, partner_code, period
            order by received_at desc, submission_id desc
        ) = 1
        """
    )
    con.execute(
        f"create or replace view {COUNTED_REVISIONS} as "
        f"select * from {COUNTED_REVISIONS_WITHOUT}(null)"
    )
