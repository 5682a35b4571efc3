"""The incremental refresh: what a run must rebuild when new partner files are its only change.

A run whose only news is partner files rebuilds the intake, then what depends on the raw tables
those files write (``raw.submissions`` always, and the table of each file's kind): dbt gets the
matching subset through dagster-dbt (``dbt build`` of the selected models and their tests), and
the publication, edition and site follow. Every other model reads inputs that did not change, so
its table stays what a full refresh would rebuild.

A full refresh (every asset, the references included) is run instead when the warehouse is new,
or when anything else a model reads may have changed since the last full refresh: the
deployment's configuration (schemes, partners, measures, population), the vocabulary, the
sign-off steps of the schemes' periods, the COG
package, the dbt project, sdsf's own code, or the day (calendar statuses follow the as-of date).
Those are summed up in a fingerprint written after each successful full refresh.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import dagster as dg

from orchestration.settings import REPO_ROOT, SOURCES_DIR, deployment, sdsf_home, warehouse_path

FINGERPRINT_FILE = "refresh.fingerprint"
# The run tag naming an incremental run: its dbt build leaves the unit tests out (they check the
# models' SQL on fixed inputs, not the data, and the SQL has not changed since the full refresh).
REFRESH_TAG = "sdsf/refresh"
# The lock at intake's table of held files, and the revisions that count, which read it
# (orchestration/defs/locks).
HOLDS_KEY = dg.AssetKey(["locks", "submission_holds"])
COUNTED_KEY = dg.AssetKey(["locks", "counted_revisions"])
# What a model may read besides partner files; a change there needs a full refresh.
_CODE_DIRS = ("orchestration", "models", "dbt_project/models", "dbt_project/macros")
_CODE_FILES = ("dbt_project/dbt_project.yml", "dbt_project/profiles.yml")
_COG_PACKAGE = "sources/territories/node_modules/@etalab/decoupage-administratif/package.json"


def inputs_fingerprint() -> str:
    """A digest of everything but partner files that the warehouse's tables are built from."""
    from orchestration.calendar import as_of_date

    digest = hashlib.sha256(f"as_of:{as_of_date().isoformat()};".encode())
    files = [*_files_under(deployment().root), SOURCES_DIR / "vocabulary.yaml"]
    for folder in _CODE_DIRS:
        files += _files_under(REPO_ROOT / folder)
    files += [REPO_ROOT / f for f in (*_CODE_FILES, _COG_PACKAGE)]
    for path in sorted({p for p in files if p.is_file()}):
        digest.update(f"{path}:".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    # The sign-off steps (approvals.py: the holds of files, fct_period_approvals), by content:
    # a data directory may be copied or moved.
    steps = sdsf_home() / "approvals" / "steps.jsonl"
    digest.update(b"approvals:" + (steps.read_bytes() if steps.is_file() else b""))
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    """The files of ``folder``, installed packages and bytecode left out."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in ("node_modules", "__pycache__", ".evidence")]
        found += [Path(root) / n for n in names if not n.endswith(".pyc")]
    return found


def full_refresh_reason(home: Path) -> str | None:
    """Why the next run must be a full refresh, or None when new files alone can be built."""
    if warehouse_is_new(home):
        return "new warehouse"
    stamp = home / FINGERPRINT_FILE
    if not stamp.exists():
        return "no full refresh recorded yet"
    if stamp.read_text(encoding="utf-8").strip() != inputs_fingerprint():
        return "references, code or as-of date changed since the last full refresh"
    return None


def warehouse_is_new(home: Path) -> bool:
    """True until a refresh has built the intake tables and the marts."""
    return not _has_intake(warehouse_path(home))


def record_full_refresh(home: Path) -> None:
    """Remember the inputs a successful full refresh was built from."""
    (home / FINGERPRINT_FILE).write_text(inputs_fingerprint() + "\n", encoding="utf-8")


def changed_sources(kinds: Iterable[str | None]) -> list[dg.AssetKey]:
    """The raw tables files of these kinds write: their receipts, and the kind's rows."""
    return [
        dg.AssetKey(["submissions", "submissions"]),
        *(dg.AssetKey(["submissions", k]) for k in sorted({k for k in kinds if k})),
    ]


def incremental_selection(asset_graph, kinds: Iterable[str | None]) -> set[dg.AssetKey]:
    """The intake assets (one multi-asset, taken whole) and everything downstream of the raw
    tables that files of ``kinds`` write: the models, checks and publication to rebuild. The
    quality review is in too (intake writes the files' quality warnings, and justifications
    may have come since), each multi-asset taken whole, as Dagster cannot run part of one.

    The holds of the lock at intake are recomputed (they read the receipts), and the revisions
    that count with them, but what reads those is rebuilt only for the kinds of the new files:
    without a sign-off step, which calls for a full refresh, only a new file can be newly held,
    and its kind's models are rebuilt."""
    receipts = dg.AssetKey(["submissions", "submissions"])
    kinds_changed = dg.AssetSelection.assets(
        *(k for k in changed_sources(kinds) if k != receipts)
    ) | dg.AssetSelection.groups("quality")
    selection = (
        dg.AssetSelection.groups("intake")
        | kinds_changed.downstream()
        | dg.AssetSelection.assets(*_downstream_not_through(asset_graph, receipts, HOLDS_KEY))
        | dg.AssetSelection.assets(HOLDS_KEY, COUNTED_KEY).downstream(depth=1)
    )
    return set(selection.required_multi_asset_neighbors().resolve(asset_graph))


def _downstream_not_through(asset_graph, start: dg.AssetKey, avoid: dg.AssetKey):
    """``start`` and every asset downstream of it by a path that does not pass ``avoid``."""
    seen, todo = {start}, [start]
    while todo:
        for child in asset_graph.get(todo.pop()).child_keys:
            if child != avoid and child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _has_intake(path: Path) -> bool:
    if not path.exists():
        return False
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException:  # a run holds it (one writer): it was built before
        return True
    try:
        con.execute("select 1 from raw.submissions limit 1")
        con.execute("select 1 from marts.fct_indicator_values limit 1")
        return True
    except duckdb.CatalogException:
        return False
    finally:
        con.close()


# The run tag listing, comma-separated, the schemes an incremental run's files touch (`sdsf run`
# or the inbox sensor, ``refresh_tags``): the publication and the rolling edition rewrite those
# schemes' rows and keep the others'. A run without it (a full refresh, a schedule's run)
# rewrites everything.
SCHEMES_TAG = "sdsf/schemes"


def touched_schemes(warehouse: Path, partners: Iterable[str]) -> list[str]:
    """The schemes whose published figures files from ``partners`` can change: the schemes of
    the partners' départements and those whose actions they pilot (``marts.dim_partners``,
    from the schemes' YAML and the partner registry), then every scheme sharing a commune or
    an EPCI with one of those, and so on: statistical secrecy gives a commune's or an EPCI's
    figure one fate in every scheme publishing it (``publication.sharing_groups``)."""
    import duckdb

    from orchestration.publication import sharing_groups

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        partners = sorted(set(partners))
        touched = {
            r[0]
            for r in con.execute(
                "select distinct unnest(list_concat(scheme_ids, piloted_scheme_ids)) "
                "from marts.dim_partners where list_contains(?, partner_code)",
                [partners],
            ).fetchall()
        }
        groups = sharing_groups(con, "marts")
    finally:
        con.close()
    for group in groups:
        if touched & set(group):
            touched |= set(group)
    return sorted(touched)


def refresh_tags(warehouse: Path, partners: Iterable[str] | None) -> dict[str, str]:
    """The tags of a refresh run, the same from `sdsf run` and from the inbox sensor: a full
    refresh when ``partners`` is None, else an incremental run of files from ``partners``,
    which rewrites only the schemes those files touch (``touched_schemes``). While another
    process writes the warehouse (one writer) the schemes cannot be read: the run then
    rewrites every scheme, which is slower, never wrong."""
    if partners is None:
        return {REFRESH_TAG: "full"}
    import duckdb

    try:
        schemes = touched_schemes(warehouse, partners)
    except duckdb.IOException:
        return {REFRESH_TAG: "incremental"}
    return {REFRESH_TAG: "incremental", SCHEMES_TAG: ",".join(schemes)}


def schemes_in_scope(tags: Mapping[str, str]) -> list[str] | None:
    """The schemes a run's tags say it rewrites, or None: every scheme."""
    raw = tags.get(SCHEMES_TAG)
    return None if raw is None else [s for s in raw.split(",") if s]
