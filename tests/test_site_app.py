"""A slice's addresses: the fixed pages of Evidence's page manifest and the links its data holds.

The app itself is bundled and placed by real Evidence builds in tests/test_evidence_site_build.py
and tests/test_evidence_site.py; here, what decides which pages a slice gets.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration import site_app

# The shape of Evidence's api/pagesManifest.json: fixed pages, templated ones, folders.
MANIFEST = {
    "href": "/",
    "isPage": True,
    "isTemplated": False,
    "children": {
        "methode": {"href": "/methode", "isPage": True, "isTemplated": False, "children": {}},
        "schemas": {
            "href": "/schemas",
            "isPage": True,
            "isTemplated": False,
            "children": {
                "[schema]": {
                    "isPage": True,
                    "isTemplated": True,
                    "children": {
                        "actions": {"isPage": False, "isTemplated": False, "children": {}},
                    },
                },
            },
        },
    },
}


def _app_and_data(tmp_path: Path) -> tuple[Path, Path]:
    app, data = tmp_path / "app", tmp_path / "data"
    (app / "api").mkdir(parents=True)
    (app / "api" / "pagesManifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    (data / "sdsf" / "dim_schemes" / "0a").mkdir(parents=True)
    (data / "sdsf" / "dim_actions" / "0b").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(
            "copy (select * from (values ('schemas/a/', 'schemas/a/territoires', 'A'), "
            "(null, null, 'B')) t(page, territories_page, title)) "
            f"to '{data / 'sdsf/dim_schemes/0a/dim_schemes.parquet'}' (format parquet)"
        )
        con.execute(
            "copy (select * from (values ('schemas/a/actions/A-1#jalons'), "
            "('schemas/a/actions/A-1'), ('schemas/a/actions/A-2?annee=2017')) t(page)) "
            f"to '{data / 'sdsf/dim_actions/0b/dim_actions.parquet'}' (format parquet)"
        )
    return app, data


def test_a_slice_gets_its_fixed_pages_and_every_page_its_data_links_to(tmp_path: Path) -> None:
    app, data = _app_and_data(tmp_path)
    assert site_app.page_addresses(app, data) == [
        "",
        "methode",
        "schemas",
        "schemas/a",
        "schemas/a/actions/A-1",
        "schemas/a/actions/A-2",
        "schemas/a/territoires",
    ]


def test_only_the_slices_own_contours_are_placed() -> None:
    assert site_app._foreign_contour(Path("carte/epci-48.geojson"), "40")
    assert not site_app._foreign_contour(Path("carte/epci-40.geojson"), "40")
    assert not site_app._foreign_contour(Path("_app/immutable/x-48.geojson"), "40")


def test_the_app_is_kept_beside_the_site_not_inside_it(tmp_path: Path) -> None:
    site = tmp_path / "home" / "site"
    assert site_app.app_dir_for(site) == tmp_path / "home" / ".site-app"
