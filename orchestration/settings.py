"""Where things live: the repository's folders, the deployment's configuration
(``SDSF_SOURCES``) and the user's data directory (``SDSF_HOME``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The project's own sources, the same for every deployment: the vocabulary (contracts and dbt
# tests take their codes from it), the CSV templates (generated from the contracts), the
# geography package and the demo. It also holds the shipped deployment (four schemes, their
# partners, the measures), the default of ``SDSF_SOURCES``.
SOURCES_DIR = REPO_ROOT / "sources"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGSTER_YAML = REPO_ROOT / "dagster.yaml"


def sdsf_home() -> Path:
    """The data directory: ``$SDSF_HOME``, by default ``data/`` at the repository root."""
    return Path(os.environ.get("SDSF_HOME") or REPO_ROOT / "data").resolve()


@dataclass(frozen=True)
class Deployment:
    """A deployment's own configuration: one folder holding what a département or a national
    body decides (its schemes, its partners, the measures their formulas use, and its children's
    population), so that sdsf runs on it without a fork. The one place naming those files."""

    root: Path

    @property
    def partners(self) -> Path:
        return self.root / "partners.yaml"

    @property
    def measures(self) -> Path:
        return self.root / "measures.yaml"

    @property
    def schemes(self) -> Path:
        return self.root / "schemes"

    @property
    def quality_rules(self) -> Path:
        """Data-quality rules across files and years; when absent, none are applied."""
        return self.root / "quality_rules.yaml"

    @property
    def population(self) -> Path:
        """Children by commune, year and age band (INSEE); when absent, a demo estimate."""
        return self.root / "population_enfants.csv"

    @property
    def shipped(self) -> bool:
        return self.root == SOURCES_DIR

    def files(self) -> list[Path]:
        """The YAML files read from the folder (those present), in reading order."""
        found = [p for p in (self.partners, self.measures) if p.is_file()]
        return found + sorted(self.schemes.glob("*.yaml"))


def deployment() -> Deployment:
    """The deployment's configuration: the folder ``$SDSF_SOURCES`` (absolute, or relative to
    the current directory), by default the repository's shipped ``sources/``."""
    chosen = os.environ.get("SDSF_SOURCES")
    return Deployment(Path(chosen).resolve() if chosen else SOURCES_DIR)


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
    for folder in ("inbox", "store", "receipts", "publication"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    os.environ["SDSF_HOME"] = str(home)
    if os.environ.get("SDSF_SOURCES"):  # absolute, for any process started from here
        os.environ["SDSF_SOURCES"] = str(deployment().root)
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
