"""The drop-folder sensor keeps each new file and asks for one run of the delivery they make."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import duckdb

from orchestration.intake.deliveries import files_of
from orchestration.intake.store import SubmissionStore
from tests.conftest import REPO

TEMPLATES = REPO / "sources" / "templates"


def test_inbox_sensor_stores_files_and_requests_one_run_for_the_files_arriving_together(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.defs.intake.sensors import inbox_sensor

    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance)
    assert isinstance(inbox_sensor(context), dg.SkipReason)

    inbox = tmp_path / "inbox" / "CAF40"
    inbox.mkdir(parents=True)
    # Attendance arrives first, but placements must be processed before it.
    (inbox / "presence.csv").write_bytes((TEMPLATES / "attendance.csv").read_bytes())
    (inbox / "places.csv").write_bytes((TEMPLATES / "placements.csv").read_bytes())
    result = inbox_sensor(context)
    assert isinstance(result, dg.SensorResult)
    stored = {s.submission_id: s for s in SubmissionStore(tmp_path).all()}
    (request,) = result.run_requests
    assert not list(inbox.iterdir()), "files leave the inbox once stored"
    (add,) = result.dynamic_partitions_requests
    assert add.partitions_def_name == "deliveries"
    assert list(add.partition_keys) == [request.partition_key], "both files: one delivery"
    # The daemon adds the partition, then the run covers exactly both files.
    instance.add_dynamic_partitions("deliveries", list(add.partition_keys))
    assert _run_files(tmp_path, request) == sorted(stored)
    assert request.asset_selection is None, "a new warehouse gets a full refresh"

    # The next tick has nothing new.
    assert isinstance(inbox_sensor(context), dg.SkipReason)
    # The same content again is the same submission: no second run.
    (inbox / "places_encore.csv").write_bytes((TEMPLATES / "placements.csv").read_bytes())
    assert isinstance(inbox_sensor(context), dg.SkipReason)

    # A file stored by `sdsf submit` (or the portal), not through the inbox, is picked up too.
    sub, _ = SubmissionStore(tmp_path).put(
        (TEMPLATES / "beneficiaries.csv").read_bytes(),
        partner="CAF40",
        kind="beneficiaries",
        file_name="beneficiaires.csv",
    )
    later = inbox_sensor(context)
    assert [_run_files(tmp_path, r) for r in later.run_requests] == [[sub.submission_id]]


def test_files_of_two_departements_arriving_together_are_one_run(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.defs.intake.sensors import inbox_sensor

    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_sensor_context(instance=instance)
    placements = (TEMPLATES / "placements.csv").read_text(encoding="utf-8-sig")
    for partner, commune in (("CAF40", "40192"), ("CAF48", "48095")):
        (tmp_path / "inbox" / partner).mkdir(parents=True)
        data = placements.replace("40192", commune).replace("EAJE-", f"EAJE-{partner}-")
        (tmp_path / "inbox" / partner / "places.csv").write_text(data, encoding="utf-8")
    other = tmp_path / "inbox" / "CAF48" / "presence.csv"
    other.write_bytes((TEMPLATES / "attendance.csv").read_bytes())

    result = inbox_sensor(context)
    (request,) = result.run_requests
    stored = SubmissionStore(tmp_path).all()
    assert sorted({s.partner for s in stored}) == ["CAF40", "CAF48"] and len(stored) == 3
    assert request.tags["sdsf/partners"] == "CAF40,CAF48"
    (add,) = result.dynamic_partitions_requests
    instance.add_dynamic_partitions("deliveries", list(add.partition_keys))
    assert _run_files(tmp_path, request) == sorted(s.submission_id for s in stored)

    # While that run is queued or running, the same files ask for nothing more; the run key
    # names the delivery, so a tick evaluated again cannot queue the files twice.
    assert isinstance(inbox_sensor(context), dg.SkipReason)
    assert request.run_key == f"inbox-{request.partition_key}"
    again = dg.DagsterInstance.ephemeral()
    replay = inbox_sensor(dg.build_sensor_context(instance=again))
    assert [r.run_key for r in replay.run_requests] == [request.run_key]


def _run_files(home, request: dg.RunRequest) -> list[str]:
    """The files the requested run processes: those of its delivery."""
    return sorted(files_of(home, [request.partition_key]))


def _attendance_request_on_a_built_warehouse(tmp_path, monkeypatch) -> dg.RunRequest:
    """The sensor's request for one CAF48 attendance file, once a refresh has built the
    warehouse: the intake's receipts and the marts exist, the partners' and schemes' among
    them (CAF48 sends to the Lozère scheme, which shares a commune with the MSA charte; the
    Landes scheme shares nothing with them)."""
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    from orchestration.defs.intake.sensors import inbox_sensor

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema raw; create schema marts")
    con.execute("create table raw.submissions (submission_id varchar)")
    con.execute("create table marts.fct_indicator_values (indicator_id varchar)")
    con.execute(
        "create table marts.dim_partners as select * from (values "
        "('CAF48', ['lozere'], []::varchar[]), ('CAF40', ['landes'], ['landes'])) "
        "as t(partner_code, scheme_ids, piloted_scheme_ids)"
    )
    con.execute(
        "create table marts.dim_schemes as select * from (values ('lozere'), ('msa'), "
        "('landes')) as t(scheme_id)"
    )
    con.execute(
        "create table marts.dim_scheme_communes as select * from (values "
        "('lozere', '48095', 'E48'), ('msa', '48095', 'E48'), ('msa', '64445', 'E64'), "
        "('landes', '40192', 'E40')) as t(scheme_id, commune_code, epci_siren)"
    )
    con.close()
    (tmp_path / "inbox" / "CAF48").mkdir(parents=True)
    (tmp_path / "inbox" / "CAF48" / "presence.csv").write_bytes(
        (TEMPLATES / "attendance.csv").read_bytes()
    )
    instance = dg.DagsterInstance.ephemeral()
    (request,) = inbox_sensor(dg.build_sensor_context(instance=instance)).run_requests
    return request


def test_once_the_warehouse_is_built_the_run_rebuilds_what_the_files_change(tmp_path, monkeypatch):
    request = _attendance_request_on_a_built_warehouse(tmp_path, monkeypatch)
    selected = {k.to_user_string() for k in request.asset_selection}
    assert request.tags["sdsf/refresh"] == "incremental"
    assert {"submissions/attendance", "submissions/placements"} <= selected  # one multi-asset
    assert {"marts/fct_indicator_values", "publication_database", "edition"} <= selected
    assert "calendar/submission_calendar" in selected, "every file changes the calendar"
    # The references, and the models that only read them, are left as they are.
    assert not {"schemes/schemes", "cog/communes", "marts/dim_schemes"} & selected
    assert "intermediate/int_placements_latest_revision" not in selected


def test_a_sensor_run_rewrites_only_the_schemes_its_files_touch(tmp_path, monkeypatch):
    # As `sdsf run` does: without the tag the publication and edition rewrite every scheme.
    request = _attendance_request_on_a_built_warehouse(tmp_path, monkeypatch)
    assert request.tags["sdsf/refresh"] == "incremental"
    assert request.tags["sdsf/schemes"] == "lozere,msa"


def test_while_another_process_writes_the_warehouse_a_run_rewrites_every_scheme(tmp_path):
    # A tick comes while a run holds the warehouse (one writer): the schemes cannot be read, and
    # a run without the tag rewrites them all, which is slower, never wrong.
    from orchestration.incremental import refresh_tags

    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True)"
    writer = subprocess.Popen(
        [sys.executable, "-c", hold + "; time.sleep(120)", str(warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        assert refresh_tags(warehouse, ["CAF48"]) == {"sdsf/refresh": "incremental"}
    finally:
        writer.kill()
        writer.wait()
    assert refresh_tags(warehouse, None) == {"sdsf/refresh": "full"}
