"""Deadlines as checks: a missing submission fails its partner's check until the file arrives."""

from __future__ import annotations

import re
import shutil

import dagster as dg
import duckdb

from orchestration.demo import departement_specs
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


def _run(home, *flags: str) -> str:
    result = run_sdsf(home, "run", "--no-site", *flags)
    return re.search(r"Dagster run\s+: (\S+)", result.stdout).group(1)


def test_deadline_check_fails_for_missing_files_then_passes_once_they_arrive(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, symlinks=True)
    # A full refresh: with nothing new, an incremental `sdsf run` would start no run at all.
    before = _evaluation(home, _run(home, "--full"))
    assert not before.passed
    # The demo's receipts story: UDAF40 never sent one year's file (sources/demo/40-landes.yaml).
    told = [
        str(e["period"])
        for spec in departement_specs()
        for e in spec.get("receipts", {}).get("missing", [])
        if (e["partner"], e["kind"]) == ("UDAF40", "beneficiaries")
    ]
    listed = before.metadata["missing"].value
    missing_years = re.findall(r"^\| (\d{4}) \|", listed, flags=re.M)
    assert missing_years == told and len(told) == 1
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


def test_sdsf_status_the_published_mart_and_the_portal_give_the_same_answer(demo_home):
    """After a run, every expected period has the same status in the published completeness
    mart (what /qualite shows) and in the portal (live, on the store's manifests); the periods
    `sdsf status` lists as overdue are the portal's missing ones past the grace."""
    from orchestration.calendar import as_of_date
    from orchestration.intake.store import SubmissionStore
    from orchestration.portal.expectations import partner_expectations, partner_years
    from orchestration.schemes import load_partners, load_schemes
    from orchestration.settings import publication_dir

    with duckdb.connect(str(publication_dir(demo_home) / "publication.duckdb"), True) as con:
        published = dict(
            ((p, k, period), (status, as_of))
            for p, k, period, status, as_of in con.execute(
                "select partner_code, submission_kind, period, status, as_of_date"
                " from main.fct_submission_completeness"
            ).fetchall()
        )
    (as_of,) = {a for _, a in published.values()}
    assert as_of == as_of_date()
    partners = load_partners()
    schemes = load_schemes(partners=partners)
    manifests = [sub.manifest() for sub in SubmissionStore(demo_home).all()]
    portal = {}
    for partner in partners.values():
        for e in partner_expectations(
            partner, manifests, partner_years(partner, schemes), today=as_of
        ):
            portal[(e.partner, e.kind, e.period.code)] = e
    assert {key: status for key, (status, _) in published.items()} == {
        key: e.status for key, e in portal.items()
    }
    assert "missing" in {e.status for e in portal.values()}

    result = run_sdsf(demo_home, "status", "--grace-days", "30", check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    listed = set(re.findall(r"^(\S+)\s+(placements|attendance|beneficiaries)\s+(\d{4}\S*)\s+\d{4}-",
                            result.stdout, flags=re.M))  # fmt: skip
    assert listed == {key for key, e in portal.items() if e.overdue(30)}
