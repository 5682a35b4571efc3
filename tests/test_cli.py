"""The `sdsf` command line as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, pipeline_env

SDSF = Path(sys.executable).with_name("sdsf")
GOOD = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
    "2017;EAJE-1;EAJE_COLLECTIF;40192;24;30\n"
)
BAD = GOOD + "2017;EAJE-2;EAJE_COLLECTIF;40192;douze;30\n"


def sdsf(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SDSF), *args],
        cwd=REPO,
        env=pipeline_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def files(tmp_path):
    good, bad = tmp_path / "bon.csv", tmp_path / "mauvais.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    return good, bad


def test_help_lists_the_commands(tmp_path):
    result = sdsf(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "demo", "validate", "submit"):
        assert command in result.stdout


def test_validate_json_prints_only_the_receipt_and_exit_codes_follow(tmp_path, files):
    good, bad = files
    ok = sdsf(tmp_path, "validate", "--kind", "placements", str(good), "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == [
        {
            "file": str(good),
            "accepted": True,
            "kind": "placements",
            "rows": 1,
            "errors": [],
            "warnings": [],
        }
    ]
    ko = sdsf(tmp_path, "validate", "--kind", "placements", str(bad), "--format", "json")
    assert ko.returncode == 1
    [receipt] = json.loads(ko.stdout)
    assert receipt["accepted"] is False
    assert [(e["line"], e["column"], e["value"]) for e in receipt["errors"]] == [
        (3, "places", "douze")
    ]


def test_validate_judges_several_files_in_one_call(tmp_path, files):
    good, bad = files
    both = sdsf(
        tmp_path, "validate", "--kind", "placements", str(good), str(bad), "--format", "json"
    )
    assert both.returncode == 1, both.stderr  # one file refused
    assert [(r["file"], r["accepted"]) for r in json.loads(both.stdout)] == [
        (str(good), True),
        (str(bad), False),
    ]
    text = sdsf(tmp_path, "validate", "--kind", "placements", str(good), str(good))
    assert text.returncode == 0 and text.stdout.count("ACCEPTÉ") == 2


def test_validate_text_is_french_and_usage_errors_exit_2(tmp_path, files):
    _, bad = files
    text = sdsf(tmp_path, "validate", "--kind", "placements", str(bad))
    assert text.returncode == 1 and "REFUSÉ" in text.stdout and "ligne 3" in text.stdout
    assert sdsf(tmp_path, "validate", "--kind", "nope", str(bad)).returncode == 2
    missing = sdsf(tmp_path, "validate", "--kind", "placements", str(tmp_path / "absent.csv"))
    assert missing.returncode == 2


def test_submit_keeps_the_file_and_refuses_an_unknown_partner(tmp_path, files):
    good, _ = files
    result = sdsf(tmp_path, "submit", "--partner", "NOBODY", "--kind", "placements", str(good))
    assert result.returncode == 1
    assert "inconnu du registre" in result.stdout
    home = tmp_path / "home"
    assert len(list((home / "store" / "files").glob("*.csv"))) == 1
    assert len(list((home / "receipts" / "NOBODY").glob("*.txt"))) == 1
    # The audit trail records the arrival and the receipt, done from the command line.
    trail = sdsf(tmp_path, "audit", "--format", "json", "--partner", "NOBODY")
    events = [(r["event"], r["origin"]) for r in json.loads(trail.stdout)]
    assert events == [("file_received", "cli"), ("receipt_rejected", "cli")]
