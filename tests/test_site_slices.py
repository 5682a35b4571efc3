"""The site's slices without Evidence: what a slice's database holds, and when it counts as
changed (the Evidence builds themselves: tests/test_evidence_site*.py)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from markupsafe import escape

from orchestration import site_index, site_slices
from orchestration.editions import ROLLING_EDITION, create_edition, site_database
from orchestration.site_paths import scheme_path, slice_home
from tests.conftest import copy_demo_publication

LANDES = "landes-2016-2018"
LOZERE = "lozere-2016-2019"


@pytest.fixture
def edition(demo_home: Path, tmp_path: Path) -> Path:
    copy_demo_publication(demo_home, tmp_path / "home")
    return create_edition(ROLLING_EDITION, home=tmp_path / "home", rolling=True)


def _slice(edition: Path, key: str) -> site_slices.SiteSlice:
    (found,) = [s for s in site_slices.plan(site_database(edition)) if s.key == key]
    return found


def _write(edition: Path, key: str, out: Path) -> Path:
    site = site_database(edition)
    site_slices.write_slice_database(
        site, _slice(edition, key), out, site_slices.edition_manifest(site)
    )
    return out


def test_one_slice_per_departement_with_its_schemes(edition: Path) -> None:
    slices = {s.key: s.scheme_ids for s in site_slices.plan(site_database(edition))}
    assert slices == {
        "40": ("charte-msa-landes-armagnac-2018-2022", LANDES),
        "48": (LOZERE,),
        "91": ("essonne-2016-2019",),
    }
    assert _slice(edition, "40").base_path == "/40"
    assert scheme_path("40", LANDES) == "/40/schemas/landes-2016-2018/"


def test_a_slice_keeps_its_schemes_rows_its_partners_and_the_shared_tables(
    edition: Path, tmp_path: Path
) -> None:
    db = _write(edition, "48", tmp_path / "48.duckdb")
    with duckdb.connect(str(site_database(edition)), read_only=True) as full:
        partners = {
            p
            for (p,) in full.execute(
                "select partner_code from dim_partners where list_contains(scheme_ids, ?)",
                [LOZERE],
            ).fetchall()
        }
        vocabulary = full.execute("select count(*) from dim_vocabulary").fetchone()[0]
        values = full.execute(
            "select count(*) from fct_indicator_values where scheme_id = ?", [LOZERE]
        ).fetchone()[0]
    manifest = json.loads((edition / "manifest.json").read_text())
    files = [s for s in manifest["submissions"] if s["partner"] in partners]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select distinct scheme_id from fct_indicator_values").fetchall() == [
            (LOZERE,)
        ]
        assert con.execute("select count(*) from fct_indicator_values").fetchone()[0] == values
        assert {p for (p,) in con.execute("select partner_code from dim_partners").fetchall()} == (
            partners
        )
        shown = {
            p
            for (p,) in con.execute("select partner_code from fct_submission_timeliness").fetchall()
        }
        assert shown and shown <= partners
        assert con.execute("select count(*) from dim_vocabulary").fetchone()[0] == vocabulary
        # The edition row counts the slice's partners' files; the French macros are there.
        received, accepted = con.execute(
            "select files_received, files_accepted from edition"
        ).fetchone()
        assert received == len(files) < len(manifest["submissions"])
        assert accepted == sum(f["status"] == "acceptee" for f in files)
        assert con.execute("select fr_percent(0.42)").fetchone()[0] == "42 %"


def test_a_slice_changes_only_with_its_own_figures(edition: Path, tmp_path: Path) -> None:
    before = {k: site_slices.content_digest(_write(edition, k, tmp_path / f"{k}-a.duckdb"))
              for k in ("40", "48")}  # fmt: skip
    # The same edition written again, a new build time: nothing changed for the readers.
    site = site_database(edition)
    with duckdb.connect(str(site)) as con:
        con.execute("update edition set built_at = built_at + interval 1 hour")
    again = {k: site_slices.content_digest(_write(edition, k, tmp_path / f"{k}-b.duckdb"))
             for k in ("40", "48")}  # fmt: skip
    assert again == before
    with duckdb.connect(str(site)) as con:
        (changed,) = con.execute(
            "update fct_indicator_values set value = value + 1 where scheme_id = ? "
            "and territory_level = 'departement' and value is not null "
            "and period = (select min(period) from fct_indicator_values where scheme_id = ?) "
            "returning 1",
            [LOZERE, LOZERE],
        ).fetchall()[:1]
    assert changed
    after = {k: site_slices.content_digest(_write(edition, k, tmp_path / f"{k}-c.duckdb"))
             for k in ("40", "48")}  # fmt: skip
    assert after["40"] == before["40"]
    assert after["48"] != before["48"]


def test_the_national_index_links_every_scheme_into_its_slice(edition: Path, tmp_path) -> None:
    page = site_index.write(site_database(edition), tmp_path).read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    with duckdb.connect(str(site_database(edition)), read_only=True) as con:
        schemes = con.execute(
            "select scheme_id, departement_code, title from dim_schemes"
        ).fetchall()
    for scheme, departement, title in schemes:
        assert f'href="{scheme_path(departement, scheme)}"' in page
        assert f'href="{slice_home(departement)}"' in page
        assert str(escape(title)) in page  # as Jinja writes it
    # The headline figures read as on the slices' pages (their source queries, French labels).
    assert "Landes (40)" in page and "Lozère (48)" in page
    assert "Édition <b>courante</b>" in page
    assert " %" in page
