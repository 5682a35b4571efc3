"""Quality review: the data-quality warnings of accepted files and reviewers' justifications."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from orchestration.intake.justifications import read_justifications
from orchestration.intake.quality import ensure_warnings_table
from orchestration.settings import sdsf_home
from orchestration.warehouse import replace_tables

JUSTIFICATION_COLUMNS = {
    "warning_id": "varchar",
    "comment": "varchar",
    "justified_by": "varchar",
    "justified_at": "timestamp",
}


@dg.multi_asset(
    name="quality_review",
    group_name="quality",
    specs=[
        dg.AssetSpec(
            ["quality", "quality_warnings"],
            description="`raw.quality_warnings`: warnings of the quality rules, one per file, "
            "line and rule (rows written by intake as it judges each file).",
            kinds={"duckdb"},
            owners=["team:data-engineering"],
            tags={"layer": "raw"},
            deps=[dg.AssetKey(["submissions", "submissions"])],
        ),
        dg.AssetSpec(
            ["quality", "quality_justifications"],
            description="`raw.quality_justifications`: the latest « justifié » of each warning, "
            "from $SDSF_HOME/quality/justifications.jsonl (`sdsf justify`).",
            kinds={"python", "duckdb"},
            owners=["team:data-engineering"],
            tags={"layer": "raw"},
        ),
    ],
)
def quality_review(warehouse: DuckDBResource):
    """The warnings table (created when no file was judged yet) and the justifications."""
    justified = read_justifications(sdsf_home())
    frame = pd.DataFrame(
        [
            (w, j["comment"], j["who"], pd.Timestamp(j["at"]).tz_convert(None))
            for w, j in justified.items()
        ],
        columns=list(JUSTIFICATION_COLUMNS),
    )
    with warehouse.get_connection() as con:
        ensure_warnings_table(con)
        warnings = con.execute("select count(*) from raw.quality_warnings").fetchone()[0]
        replace_tables(
            con,
            {"quality_justifications": frame},
            column_types={"quality_justifications": JUSTIFICATION_COLUMNS},
        )
    yield dg.MaterializeResult(
        asset_key=["quality", "quality_warnings"], metadata={"rows": warnings}
    )
    yield dg.MaterializeResult(
        asset_key=["quality", "quality_justifications"], metadata={"rows": len(frame)}
    )
