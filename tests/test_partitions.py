"""Each delivery (the files stored together) is a partition of the intake assets: a new file's
delivery is its run's only partition, and that run processes only it."""

from __future__ import annotations

import json
import re
import shutil

import dagster as dg
import duckdb

from orchestration.intake.deliveries import files_of
from tests.conftest import REPO, run_sdsf

TEMPLATES = REPO / "sources" / "templates"
NEW_FILE = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
    "2018;EAJE-TEST-PARTITION;EAJE_COLLECTIF;40192;12;14\n"
)


def _materialized_partitions(instance, run_id: str, key: list[str]) -> list[str | None]:
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    found = []
    for record in records:
        materialization = record.dagster_event.step_materialization_data.materialization
        if materialization.asset_key == dg.AssetKey(key):
            found.append(materialization.partition)
    return found


def test_a_new_file_runs_as_its_own_delivery(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        demo_keys = instance.get_dynamic_partitions("deliveries")
    stored = sorted(p.stem for p in (home / "store" / "manifests").glob("*.json"))
    assert len(stored) > 100
    assert sorted(files_of(home, demo_keys)) == stored, "the demo delivers every file it stored"
    assert len(demo_keys) < 5, "files stored together are one delivery, not one each"

    inbox = home / "inbox" / "CAF40"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "une_creche_de_plus.csv").write_text(NEW_FILE, encoding="utf-8")
    result = run_sdsf(home, "run", "--no-site")
    assert "files this run : 1" in result.stdout
    run_id = re.search(r"Dagster run\s+: (\S+)", result.stdout).group(1)

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        keys = instance.get_dynamic_partitions("deliveries")
        assert keys[:-1] == demo_keys
        new_key = keys[-1]
        (new_file,) = files_of(home, [new_key])
        assert new_file.startswith("CAF40-placements-")
        assert instance.get_run_by_id(run_id).tags["dagster/partition"] == new_key
        # Intake materialized the new delivery's partition only; the models ran after it.
        for table in ("submissions", "placements", "attendance"):
            assert _materialized_partitions(instance, run_id, ["submissions", table]) == [new_key]
        assert _materialized_partitions(instance, run_id, ["marts", "fct_indicator_values"]) == [
            None
        ]

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        loaded = con.execute(
            "select submission_id, count(*) from raw.placements "
            "where structure_code = 'EAJE-TEST-PARTITION' group by all"
        ).fetchall()
    finally:
        con.close()
    assert loaded == [(new_file, 1)]

    # Nothing new: intake is left out of the next run, which still succeeds.
    again = run_sdsf(home, "run", "--no-site")
    assert "files this run : 0" in again.stdout


def test_backfill_by_period_judges_those_files_again_and_replaces_their_rows(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    manifests = [json.loads(p.read_text()) for p in (home / "store" / "manifests").glob("*.json")]
    in_2017 = {
        m["submission_id"]
        for m in manifests
        if any(p.startswith("2017") for p in m.get("periods") or [])
    }
    assert in_2017 and len(in_2017) < len(manifests)

    def counts():
        con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        try:
            return {
                table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
                for table in ("submissions", "placements", "attendance", "beneficiaries")
            }
        finally:
            con.close()

    before = counts()
    refused = run_sdsf(home, "run", "--no-site", "--from", "2018", "--to", "2017", check=False)
    assert refused.returncode == 2 and "--from 2018 --to 2017" in refused.stderr

    result = run_sdsf(home, "run", "--no-site", "--from", "2017", "--to", "2017")
    assert f"files this run : {len(in_2017)}" in result.stdout
    logged = result.stdout + result.stderr
    assert f"[{len(in_2017)}/{len(in_2017)}]" in logged, "progress is shown file by file"
    assert counts() == before, "rows are replaced, never doubled"
    run_id = re.search(r"Dagster run\s+: (\S+)", result.stdout).group(1)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        done = _materialized_partitions(instance, run_id, ["submissions", "submissions"])
    assert in_2017 <= set(files_of(home, done))
