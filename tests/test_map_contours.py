"""The maps' committed contours match the project's COG and the shipped schemes.

scripts/build_map_contours.py writes them (with shapely, not installed for the tests); these
checks read what it wrote: a scheme of a new département, or a COG upgrade, without the script
run again fails here rather than on a map with holes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from orchestration import territories

ROOT = Path(__file__).resolve().parents[1]
CONTOURS = ROOT / "reports" / "static" / "carte"
INDEX = json.loads((ROOT / "reports" / "components" / "contours.json").read_text("utf-8"))


def _scheme_departements() -> set[str]:
    found = set()
    for path in (ROOT / "sources" / "schemes").glob("*.yaml"):
        code = yaml.safe_load(path.read_text(encoding="utf-8")).get("departement")
        if code:
            found.add(str(code))
    return found


@pytest.fixture(scope="module")
def cog() -> dict:
    return territories.load_cog()


def test_every_scheme_departement_has_contours() -> None:
    assert _scheme_departements() <= set(INDEX["departements"])
    assert "IGN" in INDEX["attribution"] and "Licence Ouverte" in INDEX["attribution"]


@pytest.mark.parametrize("departement", sorted(INDEX["departements"]))
def test_files_hold_only_codes_and_names_of_what_the_index_lists(departement: str) -> None:
    for level, kind in (("communes", "communes"), ("epci", "epci")):
        data = json.loads((CONTOURS / f"{kind}-{departement}.geojson").read_text("utf-8"))
        codes = [f["properties"]["code"] for f in data["features"]]
        assert codes == INDEX["departements"][departement][level]
        # Geometry and identity only: no figure can reach the reader through these files.
        assert all(set(f["properties"]) == {"code", "nom"} for f in data["features"])
        assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in data["features"])


def test_contours_cover_the_current_cog(cog: dict) -> None:
    communes = cog["communes"]
    current = communes[communes.commune_type == territories.COMMUNE_TYPE_COMMUNE]
    members = cog["epci_members"].merge(
        current[["commune_code", "departement_code"]], on="commune_code"
    )
    for departement, drawn in INDEX["departements"].items():
        expected = set(current[current.departement_code == departement].commune_code)
        # Every drawn code is a current commune; today every current commune is drawn.
        assert set(drawn["communes"]) == expected, departement
        epci = set(members[members.departement_code == departement].epci_siren)
        assert set(drawn["epci"]) == epci, departement


def test_former_codes_belong_to_current_communes(cog: dict) -> None:
    former = territories.load_former_codes()
    current = set(cog["communes"].commune_code)
    assert former, "the COG package lists no merged commune"
    assert set(former) <= current
    assert all(codes and all(len(c) == 5 for c in codes) for codes in former.values())
    # A former commune is no longer a current one (unless the merged commune kept its code).
    stale = {c for codes in former.values() for c in codes if c not in former}
    assert not stale & current
