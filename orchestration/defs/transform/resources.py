"""The dbt project as Dagster sees it, and the manifest it is built from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR

sdsf_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt of the running environment, so no other dbt on PATH is picked by mistake.

    Dagster's code server may start Python through another path than the venv's, so the
    environment's prefix and the repository's .venv are looked at too before PATH.
    """
    candidates = [
        Path(sys.executable).with_name("dbt"),
        Path(sys.prefix) / "bin" / "dbt",
        DBT_PROJECT_DIR.parent / ".venv" / "bin" / "dbt",
    ]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"


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


def prepare_if_dev() -> None:
    """Under `dagster dev`, re-parse so edits to models show on reload; `sdsf` parses per run.

    Not DbtProject.prepare_if_dev(): its dbt is whatever `dbt` PATH holds, and the code server's
    PATH may not include the virtual environment.
    """
    if sdsf_dbt_project.preparer.using_dagster_dev():
        parse_dbt_project()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=sdsf_dbt_project, dbt_executable=dbt_executable())


prepare_if_dev()
