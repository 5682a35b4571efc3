"""dbt docs generate works on a real warehouse and documents every mart and its columns."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, pipeline_env

DBT = Path(sys.executable).with_name("dbt")
MARTS = {
    "fct_indicator_values",
    "fct_action_progress",
    "fct_axis_progress",
    "fct_scheme_progress",
    "fct_territorial_inequality",
    "fct_submission_completeness",
    "dim_territories",
    "dim_indicators",
    "dim_actions",
    "dim_axes",
    "dim_partners",
    "dim_schemes",
    "dim_vocabulary",
}


def test_docs_generate_documents_every_mart(demo_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_home / "warehouse.duckdb", home / "warehouse.duckdb")
    target = tmp_path / "target"
    done = subprocess.run(
        [str(DBT), "docs", "generate", "--profiles-dir", ".", "--target-path", str(target)],
        cwd=REPO / "dbt_project",
        env=pipeline_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    in_catalog = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert not MARTS - in_catalog, MARTS - in_catalog
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"] in MARTS:
            assert node["description"], node["name"]
            undocumented = [c for c, v in node["columns"].items() if not v["description"]]
            assert not undocumented, (node["name"], undocumented)
