"""Running the refresh job from the command line, on the persistent Dagster instance."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import prepare_environment, publication_dir, site_dir, warehouse_path

if TYPE_CHECKING:  # dagster is imported when a run starts, not with the CLI
    from dagster import AssetKey, DagsterInstance


@dataclass
class RefreshResult:
    success: bool
    home: Path
    run_id: str | None = None
    failures: list[str] = field(default_factory=list)
    files_processed: int = 0  # stored files this run validated and loaded (or rejected)


def run_refresh(
    *,
    build_site: bool = True,
    quiet: bool = False,
    reprocess: tuple[str, str] | None = None,
    full: bool = False,
) -> RefreshResult:
    """Store the inbox's files, then materialize every asset in one run.

    The files stored since the last run become a delivery (orchestration/intake/deliveries.py).
    The run's partitions are the deliveries holding files the warehouse has not loaded yet (a
    range of them, in the order they came in); with none, intake is left out and the rest runs.
    ``reprocess`` (first and last period) adds the files reporting periods in that window: they
    are judged again and their rows replaced (a backfill by period). The site is left out when
    ``build_site`` is false.

    The run is incremental (orchestration/incremental.py): only the intake and what depends on
    the raw tables the run's files write are rebuilt, unless ``full`` is asked or
    ``full_refresh_reason`` finds the warehouse new or its other inputs changed; with no file to
    process and nothing else changed there is nothing to rebuild but a site not built yet.
    """
    home = prepare_environment()
    from dagster import AssetKey, DagsterInstance
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    from orchestration.calendar import parse_period
    from orchestration.defs.intake.partitions import DELIVERY_PARTITIONS, register_deliveries
    from orchestration.defs.transform.resources import parse_dbt_project
    from orchestration.incremental import (
        full_refresh_reason,
        incremental_selection,
        record_full_refresh,
        refresh_tags,
    )
    from orchestration.intake.deliveries import delivery_of
    from orchestration.intake.service import collect_inbox, submissions_in_periods
    from orchestration.intake.store import SubmissionStore

    parse_dbt_project()
    from orchestration.definitions import defs

    selection = list(defs.resolve_all_asset_keys())
    if not build_site:
        selection = [k for k in selection if k != AssetKey("evaluation_site")]
    collect_inbox(home)
    reason = "asked (--full)" if full else full_refresh_reason(home)
    with DagsterInstance.get() as instance:
        register_deliveries(instance, home)
        keys = instance.get_dynamic_partitions(DELIVERY_PARTITIONS.name)
        pending = unloaded_submissions(home)
        again: list[str] = []
        if reprocess:
            first, last = (parse_period(p) for p in reprocess)
            again = submissions_in_periods(home, first, last)
        files = list(dict.fromkeys([*pending, *again]))
        delivered = delivery_of(home)
        position = {key: n for n, key in enumerate(keys)}
        positions = sorted({position[delivered[i]] for i in files})
        partition_key, tags, partners = None, {}, None
        if reason is None:  # incremental: what the files change, nothing else
            store = SubmissionStore(home)
            kinds = [store.get(i).kind for i in files]
            partners = [store.get(i).partner for i in files]
            changed = incremental_selection(defs.resolve_asset_graph(), kinds) if kinds else set()
            if not changed and build_site and not (site_dir(home) / "index.html").exists():
                changed = {AssetKey("evaluation_site")}
            selection = [k for k in selection if k in changed]
        if not quiet:
            mode = f"full refresh ({reason})" if reason else "incremental refresh"
            print(f"sdsf: {mode}, {len(files)} file(s) to process", flush=True)
        if not selection:
            return RefreshResult(True, home, None, [], 0)
        if not positions:
            selection = [k for k in selection if k.path[0] != "submissions"]
        elif positions[0] == positions[-1]:
            partition_key = keys[positions[0]]
        else:  # files of deliveries between the first and last are already loaded: skipped
            tags = {
                ASSET_PARTITION_RANGE_START_TAG: keys[positions[0]],
                ASSET_PARTITION_RANGE_END_TAG: keys[positions[-1]],
            }
        # incremental: the publication and edition rewrite the files' schemes only
        tags |= refresh_tags(warehouse_path(home), partners)
        ops = None
        if positions and reprocess:
            window = {"reprocess_from": reprocess[0], "reprocess_to": reprocess[1]}
            ops = {"partner_submissions": {"config": window}}
        result = _run_refresh_job(
            instance,
            home,
            selection,
            tags,
            partition_key=partition_key,
            ops=ops,
            files_processed=len(files),
        )
    if result.success and reason is not None:
        record_full_refresh(home)
        # A full refresh follows a change of the sources: the receipts' reference codes are read
        # again now rather than by the next partner's receipt (about a second at one département).
        from orchestration.reference import reference_for_validation

        reference_for_validation(kinds=set())
    return result


def rebuild_after_signoff(*, build_site: bool, was_current: bool) -> RefreshResult:
    """Rebuild what reads the sign-off steps, nothing else: ``raw.period_approvals``, the models
    downstream of it (``fct_period_approvals``), the publication, the edition and the site.

    For the demo's sign-off, written just after its full refresh. ``was_current`` says whether
    the refresh fingerprint was current before the steps were written: only then is it recorded
    again, so any other change still calls for a full refresh."""
    home = prepare_environment()
    from dagster import AssetKey, AssetSelection, DagsterInstance

    from orchestration.defs.reference.assets import APPROVALS_KEY
    from orchestration.defs.transform.resources import parse_dbt_project
    from orchestration.incremental import REFRESH_TAG, record_full_refresh

    parse_dbt_project()
    from orchestration.definitions import defs

    downstream = AssetSelection.assets(AssetKey(APPROVALS_KEY)).downstream()
    keys = downstream.required_multi_asset_neighbors().resolve(defs.resolve_asset_graph())
    if not build_site:
        keys = {k for k in keys if k != AssetKey("evaluation_site")}
    with DagsterInstance.get() as instance:
        result = _run_refresh_job(
            instance,
            home,
            sorted(keys, key=lambda k: k.to_user_string()),
            # dbt builds the selected models and their tests, not the unit tests (SQL unchanged)
            {REFRESH_TAG: "incremental"},
        )
    if result.success and was_current:
        record_full_refresh(home)
    return result


def _run_refresh_job(
    instance: DagsterInstance,
    home: Path,
    selection: list[AssetKey],
    tags: dict[str, str],
    *,
    partition_key: str | None = None,
    ops: dict | None = None,
    files_processed: int = 0,
) -> RefreshResult:
    """One run of the refresh job, in this process, on ``instance``: the assets of
    ``selection`` (asset keys), tagged ``tags``, on ``partition_key`` and with ``ops``' config
    if given; never raises on a failed step, which the result names instead."""
    from orchestration.definitions import defs

    # Step-level DEBUG events stay in the instance (the UI); the terminal gets INFO.
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    if ops:
        run_config["ops"] = ops
    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=instance,
        raise_on_error=False,
        asset_selection=selection,
        partition_key=partition_key,
        tags=tags,
        run_config=run_config,
    )
    failures = [
        f"{e.step_key}: {e.event_specific_data.error.message.strip()}"
        for e in result.all_events
        if e.is_step_failure
    ]
    return RefreshResult(result.success, home, result.run_id, failures, files_processed)


def unloaded_submissions(home: Path) -> list[str]:
    """Stored submissions the warehouse has not recorded, oldest first (read-only look)."""
    import duckdb

    from orchestration.intake.store import SubmissionStore

    stored = [s.submission_id for s in SubmissionStore(home).all()]
    path = warehouse_path(home)
    if not stored or not path.exists():
        return stored
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select submission_id from raw.submissions").fetchall()
    except duckdb.CatalogException:  # intake never ran on this warehouse
        rows = []
    finally:
        con.close()
    loaded = {r[0] for r in rows}
    return [i for i in stored if i not in loaded]


def print_summary(result: RefreshResult) -> None:
    home = result.home
    receipts = sorted((home / "receipts").glob("*/*.json"))
    status = Counter(json.loads(p.read_text(encoding="utf-8"))["accepted"] for p in receipts)
    print()
    print("sdsf — " + ("refresh succeeded" if result.success else "REFRESH FAILED"))
    if result.failures:
        for failure in result.failures:
            print(f"  failed step {failure}")
    print(f"  data directory : {home}")
    print(f"  files this run : {result.files_processed}")
    print(f"  warehouse      : {warehouse_path(home)}")
    print(
        f"  receipts       : {home / 'receipts'} "
        f"({status[True]} accepted, {status[False]} rejected)"
    )
    if held := _held_count(home):  # the lock at intake (orchestration/intake/holds.py)
        print(f"  held files     : {held} (approved period: waiting for `sdsf unlock`)")
    print(f"  publication    : {publication_dir(home) / 'publication.duckdb'}")
    site = site_dir(home) / "index.html"
    print(f"  site           : {site if site.exists() else '(not built)'}")
    if result.run_id is None:
        print("  Dagster run    : none (no new file, nothing else changed)")
    else:
        print(f"  Dagster run    : {result.run_id} (see `make dev` for the UI)")


def _held_count(home: Path) -> int:
    from orchestration.approvals import HELD

    manifests = (home / "store" / "manifests").glob("*.json")
    return sum(json.loads(p.read_text(encoding="utf-8")).get("status") == HELD for p in manifests)
