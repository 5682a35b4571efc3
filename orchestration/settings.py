"""Where things live: the repository's folders and the user's data directory (``SDSF_HOME``)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = REPO_ROOT / "sources"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGSTER_YAML = REPO_ROOT / "dagster.yaml"


def sdsf_home() -> Path:
    """The data directory: ``$SDSF_HOME``, by default ``data/`` at the repository root."""
    return Path(os.environ.get("SDSF_HOME") or REPO_ROOT / "data").resolve()


def warehouse_path(home: Path | None = None) -> Path:
    return (home or sdsf_home()) / "warehouse.duckdb"


def publication_dir(home: Path | None = None) -> Path:
    return (home or sdsf_home()) / "publication"


def site_dir(home: Path | None = None) -> Path:
    return (home or sdsf_home()) / "site"


def dagster_home(home: Path | None = None) -> Path:
    return (home or sdsf_home()) / "dagster"


def instance_yaml() -> Path:
    """The Dagster instance configuration: ``$SDSF_DAGSTER_YAML`` (a path, relative to the
    repository or absolute), by default the repository's ``dagster.yaml`` (SQLite)."""
    chosen = os.environ.get("SDSF_DAGSTER_YAML")
    if not chosen:
        return DAGSTER_YAML
    path = Path(chosen)
    return (path if path.is_absolute() else REPO_ROOT / path).resolve()


def prepare_environment(home: Path | None = None) -> Path:
    """Create the data directory and export what dbt and Dagster read from the environment.

    dbt's profile reads ``SDSF_WAREHOUSE``; Dagster reads ``DAGSTER_HOME``, which must hold a
    ``dagster.yaml``: the repository's file is linked there so there is one configuration.
    """
    home = (home or sdsf_home()).resolve()
    for folder in ("inbox", "store", "receipts", "publication", "reference"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    os.environ["SDSF_HOME"] = str(home)
    os.environ["SDSF_WAREHOUSE"] = str(warehouse_path(home))
    dh = dagster_home(home)
    dh.mkdir(parents=True, exist_ok=True)
    link = dh / "dagster.yaml"
    wanted = instance_yaml()
    if link.is_symlink() and link.resolve() != wanted:
        link.unlink()  # another instance configuration was chosen since
    if not link.exists() and not link.is_symlink():
        link.symlink_to(wanted)
    os.environ.setdefault("DAGSTER_HOME", str(dh))
    return home
