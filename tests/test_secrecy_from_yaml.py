"""A measure and its indicators added in YAML only are protected everywhere they are published.

The demo's warehouse is copied and its scheme reference tables are rewritten from copies of
sources/measures.yaml and sources/schemes/ to which this file adds, in YAML only, two measures
counting people (children enrolled, summed over the year's periods, and their « dont » with a
disability) and two indicators of the Landes scheme on them (a count and a share). No Python
knows these codes. The real dbt build, publication, edition, exports and site database then run
on that warehouse, and the new indicators' small counts must be hidden in each: the publication,
the edition's Parquet, its CSV and xlsx exports, and the rows the site's source query gives the
pages. The figures must be small somewhere in the marts, or the test proves nothing.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration import schemes as scheme_defs
from orchestration.editions import create_edition, site_database
from orchestration.publication import write_publication
from orchestration.secrecy import SECRET_NOTE
from orchestration.warehouse import replace_tables
from tests.conftest import dbt_build

REPO = Path(__file__).resolve().parent.parent
SITE_QUERY = REPO / "reports" / "sources" / "sdsf" / "fct_indicator_values.sql"
SCHEME = "landes-2016-2018"
THRESHOLD = 11
# Filters no shipped indicator uses with these columns, where the demo has small counts.
CHILDMINDERS, CRECHES = ["ASSISTANT_MATERNEL"], ["EAJE_COLLECTIF"]

NEW_MEASURES = [
    {
        "code": "enfants_accueillis_cumul",
        "label": "Enfants accueillis, cumul des périodes de l'année",
        "source": "placements",
        "column": "children_enrolled",
        "aggregation": "flow",
        "counts_people": True,
        "filters": ["structure_types"],
    },
    {
        "code": "dont_handicap_cumul",
        "label": "Dont enfants en situation de handicap, cumul des périodes de l'année",
        "source": "placements",
        "column": "children_disabled",
        "aggregation": "flow",
        "counts_people": True,
        "part_of": "enfants_accueillis_cumul",
        "filters": ["structure_types"],
    },
]
COUNT, SHARE = "NB_ENFANTS_ASSISTANTS_MATERNELS", "PART_HANDICAP_CRECHES_COLLECTIVES"
NEW_INDICATORS = [
    {
        "code": COUNT,
        "label": "Enfants accueillis par les assistants maternels",
        "action": "LAN-5.1",
        "unit": "nombre",
        "direction": "up",
        "formula": {
            "numerator": {"measure": "enfants_accueillis_cumul", "structure_types": CHILDMINDERS}
        },
        "baseline": {"year": 2015, "value": 500},
        "targets": {2018: 600},
        "illustrative": True,
        "note": "Indicateur de test.",
    },
    {
        "code": SHARE,
        "label": "Part des enfants en situation de handicap en crèche collective",
        "action": "LAN-5.1",
        "unit": "%",
        "direction": "up",
        "formula": {
            "numerator": {"measure": "dont_handicap_cumul", "structure_types": CRECHES},
            "denominator": {"measure": "enfants_accueillis_cumul", "structure_types": CRECHES},
            "factor": 100,
        },
        "baseline": {"year": 2015, "value": 2.0},
        "targets": {2018: 3.0},
        "illustrative": True,
        "note": "Indicateur de test.",
    },
]
KEY = ("indicator_code", "territory_level", "territory_code", "period")
FIGURES = ("value", "numerator", "denominator")


def _yaml_only_sources(root: Path) -> Path:
    """Copies of sources/measures.yaml and sources/schemes/ with the new measures and indicators."""
    shutil.copytree(REPO / "sources" / "schemes", root / "schemes")
    doc = yaml.safe_load((REPO / "sources" / "measures.yaml").read_text(encoding="utf-8"))
    doc["measures"] += NEW_MEASURES
    (root / "measures.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    path = root / "schemes" / f"{SCHEME}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["indicators"] += NEW_INDICATORS
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(demo_home, tmp_path_factory):
    """The demo's warehouse rebuilt with the YAML-only additions, then published and frozen."""
    tmp = tmp_path_factory.mktemp("yaml-only")
    sources = _yaml_only_sources(tmp / "sources")
    home = tmp / "home"
    home.mkdir()
    warehouse = home / "warehouse.duckdb"
    shutil.copy(demo_home / "warehouse.duckdb", warehouse)
    measures = scheme_defs.load_measures(sources / "measures.yaml")
    partners = scheme_defs.load_partners()
    schemes = scheme_defs.load_schemes(sources / "schemes", measures=measures, partners=partners)
    frames = scheme_defs.scheme_tables(schemes, measures, partners)
    with duckdb.connect(str(warehouse)) as con:
        replace_tables(con, frames, column_types=scheme_defs.TABLE_COLUMNS)
    result = dbt_build(warehouse, tmp)
    assert result.returncode == 0, result.stdout[-4000:]
    publication = home / "publication" / "publication.duckdb"
    write_publication(warehouse, publication, threshold=THRESHOLD)
    edition = create_edition(
        "essai-mesure-yaml", home=home, publication_db=publication, schemes_dir=sources / "schemes"
    )
    return {"warehouse": warehouse, "publication": publication, "edition": edition}


# --------------------------------------------------------------------------- reading each output


def _number(text: str) -> float | None:
    """A CSV cell written the French way (``12``, ``3,5``, empty for null)."""
    return float(text.replace(",", ".")) if text else None


def _rows_of_duckdb(con, relation: str, extra: str = ", secret_value, secrecy_note"):
    codes = ", ".join(f"'{c}'" for c in (COUNT, SHARE))
    cursor = con.execute(
        f"select {', '.join(KEY)}, {', '.join(FIGURES)}{extra} from {relation} "
        f"where scheme_id = '{SCHEME}' and indicator_code in ({codes})"
    )
    names = [d[0] for d in cursor.description]
    rows = {}
    for row in cursor.fetchall():
        record = dict(zip(names, row, strict=True))
        rows[tuple(str(record[k]) for k in KEY)] = record
    return rows


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    return [
        "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)
    ]


def _xlsx_sheet(path: Path, sheet: str) -> list[dict]:
    """The rows of one sheet of an xlsx file, by header, read from its XML (no spreadsheet
    library): shared strings, numbers, booleans; an absent cell is None."""
    with zipfile.ZipFile(path) as z:
        shared = _shared_strings(z)
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        xml = ET.fromstring(z.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"))
    table = []
    for row in xml.iter(f"{{{NS['m']}}}row"):
        cells = {}
        for c in row.findall("m:c", NS):
            column = re.match(r"[A-Z]+", c.get("r")).group()
            v = c.find("m:v", NS)
            if v is None:
                continue
            kind = c.get("t")
            if kind == "s":
                cells[column] = shared[int(v.text)]
            elif kind == "b":
                cells[column] = v.text == "1"
            else:
                cells[column] = float(v.text)
        table.append(cells)
    header = table[0]
    return [{header[col]: cells.get(col) for col in header} for cells in table[1:]]


def _records(rows: list[dict], number, flag) -> dict[tuple, dict]:
    out = {}
    for r in rows:
        if r["scheme_id"] == SCHEME and r["indicator_code"] in (COUNT, SHARE):
            record = {k: r[k] for k in KEY} | {f: number(r[f]) for f in FIGURES}
            record["secret_value"] = flag(r["secret_value"])
            record["secrecy_note"] = r["secrecy_note"] or None
            out[tuple(str(r[k]) for k in KEY)] = record
    return out


def _published_outputs(built) -> dict[str, dict[tuple, dict]]:
    """The new indicators' rows as each published output gives them."""
    edition = built["edition"]
    outputs = {}
    with duckdb.connect(str(built["publication"]), read_only=True) as con:
        outputs["publication"] = _rows_of_duckdb(con, "fct_indicator_values")
    with duckdb.connect() as con:
        parquet = edition / "marts" / "fct_indicator_values.parquet"
        outputs["edition parquet"] = _rows_of_duckdb(con, f"'{parquet}'")
    text = (edition / "exports" / SCHEME / "csv" / "fct_indicator_values.csv").read_text(
        encoding="utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    outputs["csv"] = _records(rows, _number, lambda cell: cell == "oui")
    xlsx = edition / "exports" / SCHEME / f"{SCHEME}.xlsx"
    outputs["xlsx"] = _records(_xlsx_sheet(xlsx, "fct_indicator_values"), lambda v: v, bool)
    with duckdb.connect(str(site_database(edition)), read_only=True) as con:
        query = SITE_QUERY.read_text(encoding="utf-8")
        flags = ", secret_value, secrecy_note, value_fr"
        outputs["site"] = _rows_of_duckdb(con, f"({query}) as q", extra=flags)
    return outputs


# --------------------------------------------------------------------------- the rule


def _small(x) -> bool:
    return x is not None and x == x and 0 < x < THRESHOLD


def _disclosures(rows: dict[tuple, dict]) -> list[tuple]:
    """Rows showing a count of people between 1 and the threshold − 1, or a « dont » whose rest
    (denominator − numerator) is that small."""
    out = []
    for key, r in rows.items():
        shown = [f for f in ("numerator", "denominator") if _small(r[f])]
        if key[0] == COUNT and _small(r["value"]):
            shown.append("value")
        numerator, denominator = r["numerator"], r["denominator"]
        if key[0] == SHARE and numerator and denominator is not None:
            shown += ["rest"] if _small(denominator - numerator) else []
        if shown:
            out.append((key, shown))
    return out


def test_the_new_indicators_have_small_counts_before_secrecy(built):
    with duckdb.connect(str(built["warehouse"]), read_only=True) as con:
        marts = _rows_of_duckdb(con, "marts.fct_indicator_values", extra="")
    assert {k[0] for k in marts} == {COUNT, SHARE}
    small = _disclosures(marts)
    assert {k[0] for k, _ in small} == {COUNT, SHARE}, small


def test_the_publication_reads_the_new_measures_rules_from_dim_measures(built):
    with duckdb.connect(str(built["publication"]), read_only=True) as con:
        rules = con.execute(
            "select measure_code, counts_people, part_of from dim_measures "
            "where measure_code in ('enfants_accueillis_cumul', 'dont_handicap_cumul') order by 1"
        ).fetchall()
    assert rules == [
        ("dont_handicap_cumul", True, "enfants_accueillis_cumul"),
        ("enfants_accueillis_cumul", True, None),
    ]


def test_small_counts_of_a_yaml_only_measure_are_hidden_in_every_output(built):
    outputs = _published_outputs(built)
    publication = outputs["publication"]
    hidden = {k for k, r in publication.items() if r["secret_value"]}
    assert {k[0] for k in hidden} == {COUNT, SHARE}
    for name, rows in outputs.items():
        assert rows and set(rows) <= set(publication), name
        if name != "site":  # the site's query keeps the yearly rows
            assert set(rows) == set(publication), name
        assert not _disclosures(rows), (name, _disclosures(rows)[:5])
        flagged = {k for k, r in rows.items() if r["secret_value"]}
        assert flagged == hidden & set(rows), name
        for key in flagged:
            value, note = rows[key]["value"], rows[key]["secrecy_note"]
            assert (value is None or value != value) and note == SECRET_NOTE, (name, key)
    # The site's pages print value_fr: a hidden figure reads as a note, never as a number.
    assert hidden & set(outputs["site"])
    for key in hidden & set(outputs["site"]):
        assert not re.search(r"\d", outputs["site"][key]["value_fr"]), key


def test_the_exports_readme_names_the_new_measures_among_those_counting_people(built):
    xlsx = built["edition"] / "exports" / SCHEME / f"{SCHEME}.xlsx"
    with zipfile.ZipFile(xlsx) as z:
        [rule] = [text for text in _shared_strings(z) if "colonne counts_people" in text]
    assert all(m["label"] in rule for m in NEW_MEASURES), rule
    assert "Places d'accueil" not in rule  # places describe equipment, not people
