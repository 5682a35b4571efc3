"""`sdsf review | approve | unlock | approvals` on the warehouse the demo refreshed.

The demo's story leaves UDAF40's 2021 beneficiaries file missing (orchestration/demo): approving
2021 for the MSA charte, which UDAF40 feeds, must say so and keep it with the approval.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import run_sdsf

CHARTE = "charte-msa-landes-armagnac-2018-2022"


def _home(demo_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_home / "warehouse.duckdb", home / "warehouse.duckdb")
    return home


def test_approval_names_the_missing_files_and_unlock_needs_a_reason(demo_home, tmp_path):
    home = _home(demo_home, tmp_path)
    reviewed = run_sdsf(home, "review", "--scheme", CHARTE, "--period", "2021")
    assert "période 2021 : revu" in reviewed.stdout
    approved = run_sdsf(
        home, "approve", "--scheme", CHARTE, "--period", "2021", "--as", "Comité de pilotage"
    )
    assert "validé (par Comité de pilotage" in approved.stdout
    assert "Fichiers attendus manquants à la validation (1)" in approved.stdout
    assert "UDAF40 beneficiaries 2021" in approved.stdout

    again = run_sdsf(home, "approve", "--scheme", CHARTE, "--period", "2021", check=False)
    assert again.returncode == 1
    assert "déjà validée" in again.stderr
    no_reason = run_sdsf(home, "unlock", "--scheme", CHARTE, "--period", "2021", check=False)
    assert no_reason.returncode == 1
    assert "doit dire pourquoi" in no_reason.stderr
    run_sdsf(home, "unlock", "--scheme", CHARTE, "--period", "2021", "--reason", "fichier UDAF")

    listing = run_sdsf(home, "approvals", "--scheme", CHARTE).stdout
    assert "2021" in listing and "provisoire" in listing and "validé" not in listing
    trail = json.loads(run_sdsf(home, "audit", "--format", "json").stdout)
    assert [r["event"] for r in trail] == ["period_reviewed", "period_approved", "period_unlocked"]
    assert trail[1]["details"]["missing"] == ["UDAF40 beneficiaries 2021"]


def test_a_period_outside_the_scheme_or_an_unknown_scheme_is_refused(demo_home, tmp_path):
    home = _home(demo_home, tmp_path)
    outside = run_sdsf(home, "approve", "--scheme", CHARTE, "--period", "2016", check=False)
    assert outside.returncode == 1
    assert "hors du schéma" in outside.stderr
    unknown = run_sdsf(home, "approve", "--scheme", "inconnu", "--period", "2019", check=False)
    assert unknown.returncode == 1
    assert "inconnu" in unknown.stderr
    assert not (home / "approvals" / "steps.jsonl").exists()


def test_without_a_refreshed_warehouse_the_command_says_to_run_first(tmp_path):
    result = run_sdsf(tmp_path, "approve", "--scheme", CHARTE, "--period", "2021", check=False)
    assert result.returncode == 2
    assert "lancez d'abord `sdsf run`" in result.stderr
