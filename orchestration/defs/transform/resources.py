"""The dbt project as Dagster sees it, and the manifest it is built from."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR

# Next to the manifest: the digest of the inputs it was parsed from (see parse_dbt_project).
PARSE_STAMP = "manifest.sdsf-inputs"
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
    """Write the dbt manifest (``dbt parse``) unless the one in place was parsed from the same
    inputs (``_parse_inputs``); returns its path. Raises with dbt's output."""
    manifest = sdsf_dbt_project.manifest_path
    stamp = manifest.with_name(PARSE_STAMP)
    inputs = _parse_inputs()
    # `dbt parse` costs seconds even when nothing changed (dbt starts, reads every file): a
    # run after a new partner file should not pay them.
    if manifest.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == inputs:
        return manifest
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
    stamp.write_text(inputs, encoding="utf-8")
    return manifest


def _parse_inputs() -> str:
    """A digest of what the manifest is parsed from: the dbt project's files (models, macros,
    tests, packages, dbt_project.yml, profiles.yml), dbt's version, and the variables the
    profile reads. The last matter beyond the manifest: the build that follows parses only what
    changed (partial parsing, from the file `dbt parse` left) if the profile is the same, and
    parses everything again otherwise."""
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')};".encode())
    for name in ("SDSF_WAREHOUSE", "SDSF_DBT_THREADS", "SDSF_DUCKDB_THREADS"):
        digest.update(f"{name}={os.environ.get(name, '')};".encode())
    skipped = {"target", "logs"}
    for root, dirs, names in os.walk(DBT_PROJECT_DIR):
        dirs[:] = sorted(d for d in dirs if not (Path(root) == DBT_PROJECT_DIR and d in skipped))
        for name in sorted(names):
            path = Path(root) / name
            digest.update(f"{path.relative_to(DBT_PROJECT_DIR)}:".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


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
