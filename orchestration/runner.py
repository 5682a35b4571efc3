"""Running the refresh job from the command line, on the persistent Dagster instance."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.settings import prepare_environment, publication_dir, site_dir, warehouse_path


@dataclass
class RefreshResult:
    success: bool
    home: Path
    run_id: str | None = None
    failures: list[str] = field(default_factory=list)


def run_refresh(*, build_site: bool = True, quiet: bool = False) -> RefreshResult:
    """Parse dbt, then materialize every asset (but the site when ``build_site`` is false)."""
    home = prepare_environment()
    from dagster import AssetKey, DagsterInstance

    from orchestration.defs.transform.resources import parse_dbt_project

    parse_dbt_project()
    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh")
    selection = None
    if not build_site:
        selection = [k for k in defs.resolve_all_asset_keys() if k != AssetKey("evaluation_site")]
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            # Step-level DEBUG events stay in the instance (the UI); the terminal gets INFO.
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )
    failures = [
        f"{e.step_key}: {e.event_specific_data.error.message.strip()}"
        for e in result.all_events
        if e.is_step_failure
    ]
    return RefreshResult(result.success, home, result.run_id, failures)


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
    print(f"  warehouse      : {warehouse_path(home)}")
    print(
        f"  receipts       : {home / 'receipts'} "
        f"({status[True]} accepted, {status[False]} rejected)"
    )
    print(f"  publication    : {publication_dir(home) / 'publication.duckdb'}")
    site = site_dir(home) / "index.html"
    print(f"  site           : {site if site.exists() else '(not built)'}")
    print(f"  Dagster run    : {result.run_id} (see `make dev` for the UI)")
