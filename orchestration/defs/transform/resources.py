"""The dbt project as Dagster sees it, and the manifest it is built from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR

sdsf_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is re-parsed on load; elsewhere `sdsf` parses before runs.
sdsf_dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The dbt of the running environment, so no other dbt on PATH is picked by mistake."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def parse_dbt_project() -> Path:
    """Write the dbt manifest (``dbt parse``); returns its path. Raises with dbt's output."""
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return sdsf_dbt_project.manifest_path


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=sdsf_dbt_project, dbt_executable=dbt_executable())
