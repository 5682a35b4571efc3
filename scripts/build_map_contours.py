"""Write the contours the site's maps draw: communes and EPCI of the schemes' départements.

Run by hand when a scheme of a new département is added or the COG package is upgraded; the
output is committed (reports/static/carte/ and reports/components/contours.json), so neither the
pipeline nor the site build needs shapely:

    pip install shapely==2.2.0   # the `geo` extra of pyproject.toml
    python scripts/build_map_contours.py [--source ../shared/geo]

Source: IGN Admin Express COG 2018 via france-geojson (Licence Ouverte), one GeoJSON file of
communes per département. That geography is of 2018 while the project's COG (from
@etalab/decoupage-administratif, orchestration.territories) is newer: a current commune is drawn
as the union of its own 2018 polygon and those of the former communes merged into it
(`anciensCodes`); one with none of them is not drawn, and the page says so. An EPCI is the union
of its current member communes, wherever they lie. Borders are simplified as a coverage, so
neighbours keep a shared edge, and coordinates are rounded to about 10 metres.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
import yaml
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from orchestration import territories  # noqa: E402

SCHEMES_DIR = ROOT / "sources" / "schemes"
OUT_DIR = ROOT / "reports" / "static" / "carte"
INDEX = ROOT / "reports" / "components" / "contours.json"
DEFAULT_SOURCE = ROOT.parent / "shared" / "geo"
# In degrees: about 300 m; enough for a département-wide map, and a third of the file size.
TOLERANCE = 0.003
DIGITS = 4
ATTRIBUTION = "IGN – Admin Express COG 2018, via france-geojson (Licence Ouverte / Etalab)"


def scheme_departements(schemes_dir: Path = SCHEMES_DIR) -> list[str]:
    """The départements of the shipped schemes (their `departement` key)."""
    found = set()
    for path in sorted(schemes_dir.glob("*.yaml")):
        code = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("departement")
        if code:
            found.add(str(code))
    return sorted(found)


def _source_file(source: Path, departement: str) -> Path:
    matches = sorted((source / "communes").glob(f"communes-{departement}-*.geojson"))
    if len(matches) != 1:
        raise SystemExit(f"expected one contour file for département {departement} in {source}")
    return matches[0]


def _load_2018(source: Path, departements: set[str]) -> dict[str, shapely.Geometry]:
    polygons = {}
    for dep in sorted(departements):
        data = json.loads(_source_file(source, dep).read_text(encoding="utf-8"))
        for feature in data["features"]:
            polygons[feature["properties"]["code"]] = shape(feature["geometry"])
    return polygons


def _rounded(geometry: shapely.Geometry) -> dict:
    geometry = shapely.make_valid(shapely.set_precision(geometry, 10**-DIGITS))
    if geometry.geom_type == "GeometryCollection":
        geometry = shapely.union_all([g for g in geometry.geoms if g.area > 0])
    return mapping(geometry)


def _collection(features: list[tuple[str, str, shapely.Geometry]]) -> dict:
    return {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "nom": name},
                "geometry": _rounded(geometry),
            }
            for code, name, geometry in features
        ],
    }


def build(source: Path, departements: list[str], out_dir: Path, index: Path) -> dict:
    cog = territories.load_cog()
    former = territories.load_former_codes()
    communes = cog["communes"]
    communes = communes[communes.commune_type == territories.COMMUNE_TYPE_COMMUNE]
    members = cog["epci_members"]
    epci_names = dict(zip(cog["epci"].epci_siren, cog["epci"].name, strict=True))
    departement_of = dict(zip(communes.commune_code, communes.departement_code, strict=True))
    names = dict(zip(communes.commune_code, communes.name, strict=True))

    wanted = set(departements)
    epci_codes = sorted(
        set(members[members.commune_code.map(departement_of).isin(wanted)].epci_siren)
    )
    needed = members[members.epci_siren.isin(epci_codes)].commune_code
    source_departements = wanted | {departement_of[c] for c in needed}
    polygons = _load_2018(source, source_departements)

    # Every current commune that has a 2018 polygon of its own or of a former commune.
    drawn: dict[str, shapely.Geometry] = {}
    for code in sorted(c for c, d in departement_of.items() if d in source_departements):
        parts = [polygons[c] for c in [code, *former.get(code, [])] if c in polygons]
        if parts:
            drawn[code] = shapely.union_all(parts)
    # Simplify each département's communes as one coverage: shared edges stay shared.
    simplified: dict[str, shapely.Geometry] = {}
    for dep in sorted(source_departements):
        codes = [c for c in drawn if departement_of[c] == dep]
        geoms = shapely.coverage_simplify(
            [shapely.make_valid(drawn[c]) for c in codes], TOLERANCE, simplify_boundary=True
        )
        simplified.update(zip(codes, geoms, strict=True))

    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, dict[str, list[str]]] = {}
    for dep in departements:
        dep_communes = [c for c in sorted(simplified) if departement_of[c] == dep]
        dep_epci = sorted(set(members[members.commune_code.map(departement_of) == dep].epci_siren))
        epci_features = []
        for siren in dep_epci:
            parts = [
                simplified[c]
                for c in members[members.epci_siren == siren].commune_code
                if c in simplified
            ]
            if parts:
                epci_features.append((siren, epci_names[siren], shapely.union_all(parts)))
        files = {
            f"communes-{dep}.geojson": [(c, names[c], simplified[c]) for c in dep_communes],
            f"epci-{dep}.geojson": epci_features,
        }
        for name, features in files.items():
            text = json.dumps(_collection(features), ensure_ascii=False, separators=(",", ":"))
            (out_dir / name).write_text(text + "\n", encoding="utf-8")
        summary[dep] = {"communes": dep_communes, "epci": [f[0] for f in epci_features]}
    index.write_text(
        json.dumps(
            {"attribution": ATTRIBUTION, "departements": summary}, ensure_ascii=False, indent=0
        )
        + "\n",
        encoding="utf-8",
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    departements = scheme_departements()
    summary = build(args.source, departements, OUT_DIR, INDEX)
    for dep, drawn in summary.items():
        print(f"{dep}: {len(drawn['communes'])} communes, {len(drawn['epci'])} EPCI")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
