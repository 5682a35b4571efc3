"""Publication assets: the file the site reads, and the Evidence site built from it."""

import dagster as dg

from orchestration.publication import PUBLISHED_MARTS, write_publication
from orchestration.settings import publication_dir, site_dir, warehouse_path

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
def publication_database():
    """The marts copied into a DuckDB file Evidence can open (storage v1.4)."""
    target = publication_dir() / PUBLICATION_FILE
    counts, fingerprint = write_publication(warehouse_path(), target)
    (publication_dir() / FINGERPRINT_FILE).write_text(fingerprint)
    return dg.MaterializeResult(
        metadata={
            "path": str(target),
            "fingerprint": fingerprint,
            **{f"rows_{k}": v for k, v in counts.items()},
        }
    )


@dg.asset(
    group_name="publication",
    kinds={"evidence"},
    owners=["team:data-engineering"],
    tags={"layer": "publication"},
    deps=[publication_database],
)
def evaluation_site(context: dg.AssetExecutionContext):
    """The French Evidence site, built strictly and offline from the publication file."""
    from orchestration import evidence_site  # needs node; imported only when the site is built

    fingerprint = (publication_dir() / FINGERPRINT_FILE).read_text()
    out = site_dir()
    stamp = out / SITE_STAMP
    if (out / "index.html").exists() and stamp.exists() and stamp.read_text() == fingerprint:
        context.log.info("Publication unchanged since the last build: site kept as it is.")
        rebuilt = False
    else:
        out = evidence_site.build_site(publication_dir() / PUBLICATION_FILE, out)
        stamp.write_text(fingerprint)
        rebuilt = True
    return dg.MaterializeResult(
        metadata={"path": str(out), "index": str(out / "index.html"), "rebuilt": rebuilt}
    )
