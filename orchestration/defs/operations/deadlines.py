"""Deadlines as asset checks: one per partner and kind of file in the partner registry.

Each check reads the completeness mart after it is rebuilt and fails, listing the periods,
when a period's file has not been accepted by its due date plus the grace period (both from
the submission calendar, orchestration/calendar.py: ``SDSF_DEADLINE_GRACE_DAYS``, default 7).
It passes again once the file arrives and the models are refreshed. Checks do not block the
run: a late partner must not stop the others' figures from being published.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration import schemes as scheme_defs
from orchestration.calendar import grace_days
from orchestration.deadlines import overdue

COMPLETENESS = dg.AssetKey(["marts", "fct_submission_completeness"])


def _check_name(partner: str, kind: str) -> str:
    return f"deadline__{partner}__{kind}".lower()


def _expected() -> list[tuple[str, str, str, int]]:
    return [
        (code, sub.kind, sub.cadence, sub.deadline_days)
        for code, partner in sorted(scheme_defs.load_partners().items())
        for sub in partner.submissions
    ]


_EXPECTED = _expected()


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            name=_check_name(partner, kind),
            asset=COMPLETENESS,
            description=f"{partner} sends its {kind} files ({cadence}) within {days} days of "
            "each period's end (plus the grace period).",
        )
        for partner, kind, cadence, days in _EXPECTED
    ],
    can_subset=True,
)
def deadline_checks(context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource):
    grace = grace_days()
    with warehouse.get_connection() as con:
        rows = overdue(con, "marts", grace)
    selected = {key.name for key in context.selected_asset_check_keys}
    for partner, kind, _, _ in _EXPECTED:
        name = _check_name(partner, kind)
        if name not in selected:
            continue
        late = [r for r in rows if r["partner_code"] == partner and r["submission_kind"] == kind]
        table = "\n".join(
            f"| {r['period']} | {r['deadline_date']} | {r['days_overdue']} | "
            f"{r['received']} | {r['status_label']} |"
            for r in late
        )
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key=COMPLETENESS,
            passed=not late,
            metadata={
                "partner": partner,
                "kind": kind,
                "grace_days": grace,
                "periods_overdue": len(late),
                "missing": dg.MetadataValue.md(
                    "| période | échéance | jours de retard | fichiers reçus | statut |\n"
                    "|---|---|---|---|---|\n" + table
                    if late
                    else "Rien en retard."
                ),
            },
        )
