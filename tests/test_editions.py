"""Editions: frozen Parquet with a manifest, never overwritten, revisions against the previous."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import duckdb
import pytest
import yaml

from orchestration import vocabulary
from orchestration.demo.signoff import SIGNOFF_FILE
from orchestration.editions import (
    ROLLING_EDITION,
    EditionError,
    EditionExists,
    create_edition,
    describe_approvals,
    site_database,
)
from orchestration.publication import PUBLISHED_MARTS
from tests.conftest import run_sdsf


@pytest.fixture(scope="module")
def home(demo_home, tmp_path_factory):
    """A copy of the demo's data directory (publication and store), so editions stay local."""
    home = tmp_path_factory.mktemp("editions") / "home"
    shutil.copytree(demo_home / "publication", home / "publication")
    shutil.copytree(demo_home / "store" / "manifests", home / "store" / "manifests")
    return home


def test_publish_freezes_the_marts_and_refuses_to_overwrite(demo_home, tmp_path):
    # A copy of its own: a named edition in the shared demo directory would change what the
    # rolling edition of a later test compares with (tests/test_incremental.py).
    demo_copy = tmp_path / "home"
    shutil.copytree(demo_home, demo_copy, symlinks=True)
    first = run_sdsf(demo_copy, "publish", "--edition", "cdsf-2018", check=False)
    assert first.returncode == 0, first.stderr
    edition = demo_copy / "editions" / "cdsf-2018"
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["row_counts"]) == set(PUBLISHED_MARTS)
    assert all((edition / "marts" / f"{m}.parquet").is_file() for m in PUBLISHED_MARTS)
    before = (edition / "manifest.json").read_bytes()
    again = run_sdsf(demo_copy, "publish", "--edition", "cdsf-2018", check=False)
    assert again.returncode == 2
    assert "exists" in again.stderr
    # the demo approved its sign-off's years: `sdsf publish` and `sdsf editions` say so in French
    signoff = yaml.safe_load(SIGNOFF_FILE.read_text(encoding="utf-8"))
    for out in (first.stdout, run_sdsf(demo_copy, "editions").stdout):
        assert "années validées" in out
        for spec in signoff:
            assert f"{spec['scheme']} {spec['period']} : validée par {spec['approved_by']}" in out
    assert (edition / "manifest.json").read_bytes() == before
    assert run_sdsf(demo_copy, "publish", "--edition", "Bad Name", check=False).returncode == 2


def test_manifest_lists_schemes_submissions_and_row_counts(home):
    edition = create_edition("e1", home=home)
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    schemes = {s["scheme_id"]: s for s in manifest["schemes"]}
    assert "landes-2016-2018" in schemes
    assert len(schemes["landes-2016-2018"]["sha256"]) == 64
    stored = list((home / "store" / "manifests").glob("*.json"))
    assert len(manifest["submissions"]) == len(stored)
    sub = manifest["submissions"][0]
    assert len(sub["sha256"]) == 64 and sub["periods"][0]["revision"] >= 1
    # per partner, kind and period, exactly the latest accepted file is the one used
    used = {}
    for s in manifest["submissions"]:
        for p in s["periods"]:
            if p["used"]:
                key = (s["partner"], s["kind"], p["period"])
                assert key not in used
                used[key] = s["submission_id"]
    assert used
    con = duckdb.connect()
    try:
        for mart, rows in manifest["row_counts"].items():
            path = edition / "marts" / f"{mart}.parquet"
            assert con.execute(f"select count(*) from '{path}'").fetchone()[0] == rows
    finally:
        con.close()
    assert manifest["files"]["marts/fct_indicator_values.parquet"]
    assert manifest["secrecy"]["threshold"] == 11
    with pytest.raises(EditionExists):
        create_edition("e1", home=home)
    with pytest.raises(EditionError):
        create_edition(ROLLING_EDITION, home=home)


def test_later_edition_lists_revised_figures_with_the_difference(home, tmp_path):
    create_edition("e-base", home=home)
    changed = tmp_path / "publication.duckdb"
    shutil.copy(home / "publication" / "publication.duckdb", changed)
    con = duckdb.connect(str(changed))
    try:
        key = con.execute(
            "select scheme_id, indicator_code, territory_level, territory_code, period, value "
            "from fct_indicator_values where value is not null and territory_level = 'epci' "
            "order by all limit 1"
        ).fetchone()
        con.execute(
            "update fct_indicator_values set value = value + 2.5 where scheme_id = ? and "
            "indicator_code = ? and territory_level = ? and territory_code = ? and period = ?",
            list(key[:5]),
        )
    finally:
        con.close()
    edition = create_edition("e-revised", home=home, publication_db=changed)
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["previous_edition"] == "e-base"
    assert manifest["revisions"] == 1
    con = duckdb.connect()
    try:
        rows = con.execute(
            "select indicator_code, territory_code, period, old_value, new_value, difference, "
            f"previous_edition from '{edition / 'revisions.parquet'}'"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(key[1], key[3], key[4], key[5], key[5] + 2.5, 2.5, "e-base")]


def test_rolling_edition_is_replaced_and_feeds_a_v14_site_database(home):
    first = create_edition(ROLLING_EDITION, home=home, rolling=True)
    second = create_edition(ROLLING_EDITION, home=home, rolling=True)
    assert first == second and (second / "manifest.json").is_file()
    assert not [p for p in second.parent.iterdir() if p.name.startswith(".")]
    site = site_database(second)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{site}' as s (read_only)")
        tables = {r[0] for r in con.execute("show tables from s").fetchall()}
        assert set(PUBLISHED_MARTS) | {"revisions", "edition"} <= tables
        manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
        row = con.execute(
            "select edition, rolling, previous_edition, secret_threshold, files_received, "
            "files_accepted from s.edition"
        ).fetchall()
        accepted = sum(m["status"] == "acceptee" for m in manifest["submissions"])
        assert row == [
            (
                ROLLING_EDITION,
                True,
                manifest["previous_edition"],
                manifest["secrecy"]["threshold"],
                len(manifest["submissions"]),
                accepted,
            )
        ]
    finally:
        con.close()


def test_manifest_records_which_years_were_approved_by_whom_and_when(home, tmp_path):
    """Read from the frozen fct_period_approvals: one more year approved in the publication is
    one more in the manifest, the others listed provisional with their state."""
    changed = tmp_path / "publication.duckdb"
    shutil.copy(home / "publication" / "publication.duckdb", changed)
    with duckdb.connect(str(changed)) as con:
        scheme, period = con.execute(
            "select scheme_id, period from fct_period_approvals where not is_approved "
            "order by scheme_id, year desc limit 1"
        ).fetchone()
        con.execute(
            "update fct_period_approvals set approval_state = 'approved', is_approved = true, "
            "approved_by = 'Comité test', approved_at = timestamp '2019-03-04 10:00:00', "
            "missing_files = 'CAF40 placements 2018', missing_file_count = 1 "
            "where scheme_id = ? and period = ?",
            [scheme, period],
        )
        years = con.execute(
            "select scheme_id, period, approval_state, approved_by from fct_period_approvals"
        ).fetchall()
    edition = create_edition("e-approvals", home=home, publication_db=changed)
    manifest = json.loads((edition / "manifest.json").read_text(encoding="utf-8"))
    approved = {(a["scheme_id"], a["period"]): a for a in manifest["approvals"]["approved"]}
    provisional = {(p["scheme_id"], p["period"]): p for p in manifest["approvals"]["provisional"]}
    assert set(approved) == {(s, p) for s, p, state, _ in years if state == "approved"}
    assert set(provisional) == {(s, p) for s, p, state, _ in years if state != "approved"}
    assert all(p["state"] in vocabulary.codes("approval_states") for p in provisional.values())
    item = approved[(scheme, period)]
    assert item["approved_by"] == "Comité test"
    assert datetime.fromisoformat(item["approved_at"]).isoformat() == "2019-03-04T10:00:00+00:00"
    assert item["missing_files"] == ["CAF40 placements 2018"]
    said = "\n".join(describe_approvals(manifest))
    assert f"{scheme} {period} : validée par Comité test le 04/03/2019, 1 fichier(s)" in said
    assert f"années provisoires : {len(provisional)}" in said
