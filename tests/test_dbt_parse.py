"""`sdsf run` parses the dbt project only when what the manifest is parsed from changed."""

from __future__ import annotations

from orchestration.defs.transform.resources import _parse_inputs, parse_dbt_project


def test_parse_inputs_follow_the_warehouse_name_dbt_gives_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "a" / "warehouse.duckdb"))
    same_name = _parse_inputs()
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "b" / "warehouse.duckdb"))
    assert _parse_inputs() == same_name, "another folder, the same database name"
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "other.duckdb"))
    assert _parse_inputs() != same_name


def test_a_second_parse_with_nothing_changed_keeps_the_manifest(monkeypatch, tmp_path):
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    manifest = parse_dbt_project()
    written = manifest.stat().st_mtime_ns
    assert parse_dbt_project() == manifest
    assert manifest.stat().st_mtime_ns == written
