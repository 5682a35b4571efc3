"""The drop-folder sensor keeps each new file and asks for one run of its partition."""

from __future__ import annotations

import dagster as dg

from orchestration.intake.store import SubmissionStore
from tests.conftest import REPO

TEMPLATES = REPO / "sources" / "templates"


def test_inbox_sensor_stores_files_and_requests_one_partition_run_per_new_file(
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
    keys = [r.partition_key for r in result.run_requests]
    assert sorted(keys) == sorted(stored)
    assert [stored[k].kind for k in keys] == ["placements", "attendance"]
    assert [r.run_key for r in result.run_requests] == keys
    assert not list(inbox.iterdir()), "files leave the inbox once stored"
    (add,) = result.dynamic_partitions_requests
    assert add.partitions_def_name == "submissions"
    assert sorted(add.partition_keys) == sorted(stored)

    # The daemon adds the partitions; the next tick has nothing new.
    instance.add_dynamic_partitions("submissions", list(add.partition_keys))
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
    assert [r.partition_key for r in later.run_requests] == [sub.submission_id]
