"""Publication assets: the secrecy-applied publication, the rolling edition, and the site."""

import json

import dagster as dg

from orchestration.editions import ROLLING_EDITION, create_edition, site_database
from orchestration.incremental import schemes_in_scope
from orchestration.publication import PUBLISHED_MARTS, write_publication
from orchestration.settings import publication_dir, sdsf_home, site_dir, warehouse_path

PUBLICATION_FILE = "publication.duckdb"
FINGERPRINT_FILE = "publication.fingerprint"
SITE_STAMP = ".sdsf-publication.fingerprint"


@dg.asset(
    group_name="publication",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    tags={"layer": "publication"},
    deps=[dg.AssetKey(["marts", name]) for name in PUBLISHED_MARTS],
)
def publication_database(context: dg.AssetExecutionContext):
    """The marts copied into a DuckDB file (storage v1.4), statistical secrecy applied."""
    target = publication_dir() / PUBLICATION_FILE
    # An incremental run rewrites the schemes its files touch; any other run, every scheme.
    schemes = schemes_in_scope(context.run.tags)
    counts, fingerprint = write_publication(warehouse_path(), target, schemes=schemes)
    (publication_dir() / FINGERPRINT_FILE).write_text(fingerprint)
    return dg.MaterializeResult(
        metadata={
            "path": str(target),
            "fingerprint": fingerprint,
            "schemes_rewritten": "all" if schemes is None else ", ".join(schemes),
            **{f"rows_{k}": v for k, v in counts.items()},
        }
    )


@dg.asset(
    group_name="publication",
    kinds={"parquet", "duckdb"},
    owners=["team:data-engineering"],
    tags={"layer": "publication"},
    deps=[publication_database],
)
def edition(context: dg.AssetExecutionContext):
    """The rolling edition `courante`: Parquet, revisions, exports and the site's DuckDB file."""
    # Named editions (sdsf publish) are frozen; the rolling one follows every run so the site
    # shows the latest figures while still being built from an edition, never the warehouse.
    path = create_edition(
        ROLLING_EDITION,
        home=sdsf_home(),
        rolling=True,
        schemes=schemes_in_scope(context.run.tags),  # their exports rewritten, others kept
    )
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    return dg.MaterializeResult(
        metadata={
            "path": str(path),
            "previous_edition": manifest["previous_edition"] or "",
            "revisions": manifest["revisions"],
            "secret_threshold": manifest["secrecy"]["threshold"],
        }
    )


@dg.asset(
    group_name="publication",
    kinds={"evidence"},
    owners=["team:data-engineering"],
    tags={"layer": "publication"},
    deps=[edition],
    # The Evidence build is a large node process: a transient failure (memory, a killed
    # worker) is worth one more try before the run fails and alerts.
    retry_policy=dg.RetryPolicy(max_retries=1, delay=15),
)
def evaluation_site(context: dg.AssetExecutionContext):
    """The French Evidence site, built strictly and offline from the rolling edition."""
    # Need node; imported only when the site is built.
    from orchestration import evidence_site, site_slices

    # Rebuilt when the data or the site's own files (pages, queries, packages) changed.
    fingerprint = (
        (publication_dir() / FINGERPRINT_FILE).read_text() + ":" + evidence_site.site_fingerprint()
    )
    out = site_dir()
    stamp = out / SITE_STAMP
    if (out / "index.html").exists() and stamp.exists() and stamp.read_text() == fingerprint:
        context.log.info("Publication and pages unchanged since the last build: site kept.")
        rebuilt = False
    else:
        source = site_database(sdsf_home() / "editions" / ROLLING_EDITION)
        # Only the slices (départements) whose figures changed are built again.
        built = site_slices.build(source, out, on_slice=context.log.info)
        stamp.write_text(fingerprint)
        rebuilt = built.rebuilt
        context.log.info(
            f"Site built in {built.seconds:.0f} s: {len(rebuilt)} slice(s) rebuilt "
            f"({', '.join(rebuilt) or 'none'}), {built.pages} pages, peak {built.peak_mib:.0f} MiB"
        )
    return dg.MaterializeResult(
        metadata={
            "path": str(out),
            "index": str(out / "index.html"),
            "rebuilt": bool(rebuilt),
            "slices_rebuilt": ", ".join(rebuilt or []),
        }
    )
