"""Reference assets: the schemes as data, the INSEE geography, children's population and the
sign-off steps of the schemes' periods.

Each raw table is its own asset, keyed [source, table] as the dbt sources name them, so the
graph shows which model reads which table.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration import approvals, territories, vocabulary
from orchestration import schemes as scheme_defs
from orchestration.settings import deployment, sdsf_home
from orchestration.warehouse import replace_tables

# Where the population file was read before it moved to the deployment's folder.
FORMER_POPULATION_FILE = "reference/population_enfants.csv"
SCHEME_TABLES = tuple(scheme_defs.TABLE_COLUMNS)
VOCABULARY_KEY = ["reference", "vocabulary"]
APPROVALS_KEY = ["approvals", "period_approvals"]
COG_TABLES = ("communes", "epci", "epci_members", "departements")
_COMMON = {"owners": ["team:data-engineering"], "tags": {"layer": "raw"}}


@dg.multi_asset(
    name="scheme_reference",
    group_name="reference",
    specs=[
        dg.AssetSpec(
            ["schemes", table],
            description=f"Scheme reference table `raw.{table}`, from the deployment's YAML "
            "files ($SDSF_SOURCES, by default sources/).",
            kinds={"yaml", "duckdb"},
            **_COMMON,
        )
        for table in SCHEME_TABLES
    ]
    + [
        dg.AssetSpec(
            VOCABULARY_KEY,
            description="Every code list and its French labels `raw.vocabulary`, "
            "from sources/vocabulary.yaml.",
            kinds={"yaml", "duckdb"},
            **_COMMON,
        )
    ],
)
def scheme_reference(warehouse: DuckDBResource):
    """Schemes, measures and partner registry of the deployment, and the vocabulary, as raw
    tables."""
    measures, partners, schemes = scheme_defs.load_deployment()
    frames = scheme_defs.scheme_tables(schemes, measures, partners)
    frames["vocabulary"] = vocabulary.vocabulary_table()
    column_types = {**scheme_defs.TABLE_COLUMNS, "vocabulary": vocabulary.TABLE_COLUMNS}
    with warehouse.get_connection() as con:
        counts = replace_tables(con, frames, column_types=column_types)
    for table in SCHEME_TABLES:
        yield dg.MaterializeResult(asset_key=["schemes", table], metadata={"rows": counts[table]})
    yield dg.MaterializeResult(asset_key=VOCABULARY_KEY, metadata={"rows": counts["vocabulary"]})


@dg.multi_asset(
    name="territory_reference",
    group_name="reference",
    specs=[
        dg.AssetSpec(
            ["cog", table],
            description=f"INSEE geography `raw.{table}`, from @etalab/decoupage-administratif.",
            kinds={"npm", "duckdb"},
            **_COMMON,
        )
        for table in COG_TABLES
    ],
)
def territory_reference(warehouse: DuckDBResource):
    """INSEE geography (communes, EPCI and members, départements) from the npm COG package."""
    frames = territories.load_cog(territories.ensure_territory_package())
    with warehouse.get_connection() as con:
        counts = replace_tables(con, frames)
    for table in COG_TABLES:
        yield dg.MaterializeResult(asset_key=["cog", table], metadata={"rows": counts[table]})


@dg.asset(
    key=["population", "child_population"],
    group_name="reference",
    kinds={"python", "duckdb"},
    deps=[dg.AssetKey(["schemes", "schemes"]), dg.AssetKey(["cog", "communes"])],
    **_COMMON,
)
def child_population(warehouse: DuckDBResource):
    """Children by commune, year and age band: the user's file if given, else a demo estimate.

    A user replaces the estimate by putting INSEE figures in ``population_enfants.csv`` of the
    deployment's folder (``$SDSF_SOURCES``; format in sources/territories/README.md).
    """
    user_file = deployment().population
    former = sdsf_home() / FORMER_POPULATION_FILE
    if former.exists() and not user_file.exists():
        # Never fall back to the estimate when the user's figures sit where they used to.
        raise territories.ChildPopulationFileError(
            former,
            [
                "ce fichier n'est plus lu à cet endroit : déplacez-le dans le dossier de "
                f"configuration du déploiement, sous le nom {user_file}"
            ],
        )
    with warehouse.get_connection() as con:
        if user_file.exists():
            frame = territories.load_child_population(user_file)
            origin = f"user file {user_file}"
        else:
            communes = con.execute(
                """
                select c.* from raw.communes as c
                where c.departement_code in (select departement_code from raw.schemes)
                """
            ).df()
            first, last = con.execute(
                """
                select least(min(s.start_year), min(i.baseline_year)), max(s.end_year)
                from raw.schemes as s left join raw.indicators as i using (scheme_id)
                """
            ).fetchone()
            frame = territories.estimate_child_population(communes, list(range(first, last + 1)))
            origin = "demo estimate (total population x national age-band shares)"
        counts = replace_tables(con, {"child_population": frame})
    return dg.MaterializeResult(metadata={"origin": origin, "rows": counts["child_population"]})


@dg.asset(
    key=APPROVALS_KEY,
    group_name="reference",
    kinds={"json", "duckdb"},
    **_COMMON,
)
def period_approvals(warehouse: DuckDBResource):
    """Every sign-off step ever written (`sdsf review|approve|unlock`), from
    $SDSF_HOME/approvals/steps.jsonl, as `raw.period_approvals`."""
    frame = approvals.steps_table(sdsf_home())
    with warehouse.get_connection() as con:
        counts = replace_tables(
            con,
            {"period_approvals": frame},
            column_types={"period_approvals": approvals.TABLE_COLUMNS},
        )
    return dg.MaterializeResult(metadata={"steps": counts["period_approvals"]})
