"""Deadlines as checks: a missing submission fails its partner's check until the file arrives."""

from __future__ import annotations

import re
import shutil

import dagster as dg

from tests.conftest import run_sdsf

CHECK = "deadline__udaf40__beneficiaries"
COMPLETENESS = dg.AssetKey(["marts", "fct_submission_completeness"])


def _evaluation(home, run_id: str) -> dg.AssetCheckEvaluation:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    found = [
        r.dagster_event.event_specific_data
        for r in records
        if r.dagster_event.event_specific_data.check_name == CHECK
    ]
    assert len(found) == 1, f"{CHECK} ran {len(found)} times in run {run_id}"
    return found[0]


def _run(home) -> str:
    result = run_sdsf(home, "run", "--no-site")
    return re.search(r"Dagster run\s+: (\S+)", result.stdout).group(1)


def test_deadline_check_fails_for_missing_files_then_passes_once_they_arrive(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    before = _evaluation(home, _run(home))
    assert not before.passed
    # The Landes schemes run to 2022 (the MSA charte); the demo's UDAF40 files stop at 2018.
    listed = before.metadata["missing"].value
    missing_years = re.findall(r"^\| (\d{4}) \|", listed, flags=re.M)
    assert missing_years and all(y > "2018" for y in missing_years)
    assert before.metadata["periods_overdue"].value == len(missing_years)

    rows = "".join(f"{y};LAN-3.2;200069409;FAMILLES;40;9\n" for y in missing_years)
    inbox = home / "inbox" / "UDAF40"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "beneficiaires_retard.csv").write_text(
        "periode;code_action;code_territoire;public;nombre;dont_familles_modestes\n" + rows,
        encoding="utf-8",
    )
    after = _evaluation(home, _run(home))
    assert after.passed, after.metadata["missing"].value
    assert after.metadata["periods_overdue"].value == 0
