"""Asset checks on what intake loaded: the pandera contracts, re-run on the raw tables.

Each file is validated before it is loaded; these checks validate again what the raw tables
hold, so no row that breaks a contract (a loader bug, a hand edit) can reach the dbt models:
they are blocking, and their metadata shows the failures. Rejected files are not failures of
the pipeline: the check on ``submissions/submissions`` lists them as a warning.
"""

import dagster as dg
import pandas as pd
import pandera.pandas as pa
from dagster_duckdb import DuckDBResource

from models import CONTRACTS, KINDS
from models.common import columns_of

MAX_SHOWN_FAILURES = 20


def contract_frame(kind: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``raw.<kind>`` in the shape the contract validates (text, floats, oui/non)."""
    frame = pd.DataFrame(index=raw.index)
    for name, meta in columns_of(CONTRACTS[kind]).items():
        column = raw[name]
        if meta["kind"] in {"count", "decimal"}:
            frame[name] = column.astype("float64")
        elif meta["kind"] == "yes_no":
            frame[name] = column.map({True: "oui", False: "non"}).astype(object)
        elif meta["kind"] == "date":  # a DATE column, as the contract reads it: AAAA-MM-JJ
            days = pd.to_datetime(column)
            frame[name] = days.dt.strftime("%Y-%m-%d").astype(object).where(days.notna(), None)
        else:
            frame[name] = column.astype(object).where(column.notna(), None)
    return frame


def _contract_check(kind: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["submissions", kind]),
        name=f"{kind}_rows_meet_contract",
        blocking=True,
        description=f"Every loaded `{kind}` row of the current revisions meets its contract.",
    )
    def check(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        with warehouse.get_connection() as con:
            raw = con.execute(
                f"""
                select * from raw.{kind}
                qualify dense_rank() over (
                    partition by partner_code, period order by received_at desc, submission_id desc
                ) = 1
                """
            ).df()
        failures = _contract_failures(kind, raw)
        if failures is not None:
            shown = failures.head(MAX_SHOWN_FAILURES).astype(str)
            return dg.AssetCheckResult(
                passed=False,
                metadata={
                    "rows_checked": len(raw),
                    "failures": len(failures),
                    "failure_cases": dg.MetadataValue.md(shown.to_markdown(index=False)),
                },
            )
        return dg.AssetCheckResult(passed=True, metadata={"rows_checked": len(raw)})

    return check


def _contract_failures(kind: str, raw: pd.DataFrame) -> pd.DataFrame | None:
    """The contract's failure cases over each partner's rows, or None when all pass.

    A contract speaks of one partner's files: two partners may send rows with the same key
    (a pilot and a partner reporting on one action), so each partner is validated apart."""
    contract, found = CONTRACTS[kind], []
    for partner, rows in raw.groupby("partner_code", sort=True):
        try:
            contract.validate(contract_frame(kind, rows), lazy=True)
        except pa.errors.SchemaErrors as exc:
            found.append(exc.failure_cases.assign(partner_code=partner))
    return pd.concat(found, ignore_index=True) if found else None


contract_checks = [_contract_check(kind) for kind in KINDS]


@dg.asset_check(
    asset=dg.AssetKey(["submissions", "submissions"]),
    description="Lists rejected submissions not followed by an accepted file of the same partner "
    "and kind.",
)
def rejected_submissions(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        rejected = con.execute(
            """
            select partner_code, kind, file_name, submission_id, error_count,
                   cast(received_at as varchar) as received_at
            from raw.submissions as s
            where status = 'rejetee'
              and not exists (
                  select 1 from raw.submissions as later
                  where later.partner_code = s.partner_code and later.kind = s.kind
                    and later.status = 'acceptee'
                    and later.received_at > s.received_at
              )
            order by received_at
            """
        ).df()
    return dg.AssetCheckResult(
        passed=rejected.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rejected": len(rejected),
            "files": dg.MetadataValue.md(
                rejected.to_markdown(index=False) if len(rejected) else "Aucun fichier refusé."
            ),
        },
    )
