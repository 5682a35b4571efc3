"""The drop-folder sensor asks for one run per batch of waiting files."""

from __future__ import annotations

import dagster as dg


def test_inbox_sensor_skips_when_empty_and_requests_once_per_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.defs.intake.sensors import inbox_sensor

    context = dg.build_sensor_context()
    assert isinstance(inbox_sensor(context), dg.SkipReason)

    (tmp_path / "inbox" / "CAF40").mkdir(parents=True)
    (tmp_path / "inbox" / "CAF40" / "places_2017.csv").write_text("periode\n2017\n")
    first = inbox_sensor(context)
    second = inbox_sensor(context)
    assert isinstance(first, dg.RunRequest)
    assert first.run_key == second.run_key
    assert first.job_name in (None, "refresh")

    (tmp_path / "inbox" / "CAF40" / "places_2018.csv").write_text("periode\n2018\n")
    third = inbox_sensor(context)
    assert third.run_key != first.run_key
    assert third.tags["sdsf/files"] == "2"
