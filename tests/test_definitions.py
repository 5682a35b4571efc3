"""Every Dagster definition loads, and the graph says what each asset is."""

from __future__ import annotations

import dagster as dg


def test_definitions_load_with_every_asset_described_and_grouped(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.definitions import defs

    repo = defs.get_repository_def()
    graph = repo.asset_graph
    keys = graph.get_all_asset_keys()
    assert dg.AssetKey(["schemes", "indicators"]) in keys
    assert dg.AssetKey(["submissions", "placements"]) in keys
    assert dg.AssetKey(["marts", "fct_indicator_values"]) in keys
    assert dg.AssetKey("evaluation_site") in keys
    for key in keys:
        node = graph.get(key)
        assert node.group_name, f"{key} has no group"
        assert node.description, f"{key} has no description"
        assert node.owners, f"{key} has no owner"
        assert node.kinds, f"{key} has no kind"
    groups = {graph.get(key).group_name for key in keys}
    assert groups == {
        "reference", "intake", "calendar", "staging", "intermediate", "marts", "publication",
        "quality", "locks",
    }  # fmt: skip
    assert defs.resolve_job_def("refresh") is not None
    assert defs.resolve_job_def("refresh_models") is not None
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {"inbox_sensor", "run_failure_alert"}
    refreshes = [s for s in defs.schedules if s.name.startswith("refresh_after_deadlines__")]
    assert len(refreshes) == 4, "one refresh schedule per shipped scheme"
    assert {s.name for s in defs.schedules} - {s.name for s in refreshes} == {
        "partner_reminders_daily"
    }
    for item in [*sensors.values(), *defs.schedules]:
        assert item.description, f"{item.name} has no description"
    # dbt tests are asset checks, next to the contracts and deadline checks.
    checks = {key.name for key in repo.asset_graph.asset_check_keys}
    assert "placements_rows_meet_contract" in checks
    assert "deadline__caf40__attendance" in checks
    assert any(name.startswith("unique_combination_fct_indicator_values") for name in checks)


def test_marts_sit_downstream_of_partner_submissions(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    ancestors = set()
    frontier = [dg.AssetKey(["marts", "fct_indicator_values"])]
    while frontier:
        key = frontier.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in ancestors:
                ancestors.add(parent)
                frontier.append(parent)
    assert dg.AssetKey(["submissions", "placements"]) in ancestors
    assert dg.AssetKey(["population", "child_population"]) in ancestors
    assert dg.AssetKey(["cog", "communes"]) in ancestors


def test_the_completeness_marts_read_the_calendar_asset(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    calendar = dg.AssetKey(["calendar", "submission_calendar"])
    files = dg.AssetKey(["calendar", "submission_calendar_files"])
    staged = graph.get(dg.AssetKey(["staging", "stg_calendar__submission_calendar"]))
    assert staged.parent_keys == {calendar}
    timeliness = graph.get(dg.AssetKey(["marts", "fct_submission_timeliness"]))
    assert dg.AssetKey(["staging", "stg_calendar__submission_calendar_files"]) in (
        timeliness.parent_keys
    )
    assert graph.get(files).parent_keys >= {dg.AssetKey(["submissions", "submissions"])}
    assert dg.AssetKey(["submissions", "submissions"]) in graph.get(calendar).parent_keys


def test_the_approvals_mart_reads_the_approvals_asset_and_feeds_the_publication(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    steps = dg.AssetKey(["approvals", "period_approvals"])
    assert graph.get(steps).group_name == "reference"
    staged = graph.get(dg.AssetKey(["staging", "stg_approvals__period_approvals"]))
    assert staged.parent_keys == {steps}
    mart = dg.AssetKey(["marts", "fct_period_approvals"])
    assert (
        dg.AssetKey(["staging", "stg_approvals__period_approvals"]) in graph.get(mart).parent_keys
    )
    assert mart in graph.get(dg.AssetKey("publication_database")).parent_keys
