"""`sdsf run` parses the dbt project only when what the manifest is parsed from changed."""

from __future__ import annotations

from orchestration.defs.transform.resources import _parse_inputs, parse_dbt_project


def test_parse_inputs_follow_what_the_profile_reads(monkeypatch, tmp_path):
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "a" / "warehouse.duckdb"))
    first = _parse_inputs()
    assert _parse_inputs() == first
    # Another warehouse is another profile: dbt would not parse partially from this parse.
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "b" / "warehouse.duckdb"))
    assert _parse_inputs() != first
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "a" / "warehouse.duckdb"))
    monkeypatch.setenv("SDSF_DBT_THREADS", "1")
    assert _parse_inputs() != first


def test_a_second_parse_with_nothing_changed_keeps_the_manifest(monkeypatch, tmp_path):
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    manifest = parse_dbt_project()
    written = manifest.stat().st_mtime_ns
    assert parse_dbt_project() == manifest
    assert manifest.stat().st_mtime_ns == written
