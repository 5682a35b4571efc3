"""End to end: the demo's partner files through intake, dbt and the marts, checked by hand.

The expected figures are recomputed here from the demo CSV files and the raw COG JSON with
nothing but the standard library, independently of the pipeline's code.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.demo import generate_demo
from orchestration.territories import TERRITORIES_DIR
from tests.conftest import run_sdsf

FORMAL_CHILDCARE = {
    "EAJE_COLLECTIF",
    "EAJE_FAMILIAL",
    "EAJE_PARENTAL",
    "MICRO_CRECHE",
    "ASSISTANT_MATERNEL",
    "GARDE_DOMICILE",
    "PRESCOLARISATION",
}
UNDER3_SHARE = Decimal("0.031")  # the demo estimate's documented national share
COG_DATA = TERRITORIES_DIR / "node_modules" / "@etalab" / "decoupage-administratif" / "data"


def _rows(data: bytes) -> list[dict[str, str]]:
    """Read a demo CSV the way a person would: try UTF-8, else Windows-1252; sniff the delimiter."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    header = text.splitlines()[0]
    delimiter = max(";\t,", key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    names = [h.strip().lower().replace(" ", "_").replace("é", "e") for h in next(reader)]
    return [dict(zip(names, r, strict=True)) for r in reader if any(r)]


@pytest.fixture(scope="module")
def landes():
    communes = json.loads((COG_DATA / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((COG_DATA / "epci.json").read_text(encoding="utf-8"))
    current = {
        c["code"]: c
        for c in communes
        if c.get("departement") == "40" and c.get("type") == "commune-actuelle"
    }
    under3 = {
        code: int((Decimal(c["population"]) * UNDER3_SHARE).quantize(Decimal(1), ROUND_HALF_UP))
        for code, c in current.items()
        if c.get("population") is not None
    }
    epci_of = {m["code"]: e["code"] for e in epcis for m in e["membres"] if m["code"] in current}
    return under3, epci_of


@pytest.fixture(scope="module")
def demo_files():
    return generate_demo()


@pytest.fixture(scope="module")
def expected_places(demo_files):
    """Formal childcare places per (year, commune), latest file of each partner and year."""
    latest: dict[tuple[str, str], list[dict]] = {}
    for demo in demo_files:  # files in sending order: a later file supersedes
        rows = _rows(demo.data)
        if "places" not in rows[0]:
            continue
        latest[(demo.partner, rows[0]["periode"])] = rows
    places = defaultdict(int)
    for rows in latest.values():
        for r in rows:
            if r["type_structure"] in FORMAL_CHILDCARE:
                places[(int(r["periode"]), r["code_commune"])] += int(r["places"])
    return places


def _mart(home: Path, sql: str, params=()):
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_departement_coverage_rate_equals_hand_computation(demo_home, landes, expected_places):
    under3, _ = landes
    for year in (2016, 2017, 2018):
        numerator = sum(v for (y, c), v in expected_places.items() if y == year and c in under3)
        denominator = sum(under3.values())
        [(value, num, den)] = _mart(
            demo_home,
            """
            select value, numerator, denominator from marts.fct_indicator_values
            where scheme_id = 'landes-2016-2018' and indicator_code = 'TX_COUV_GLOBAL'
              and territory_level = 'departement' and territory_code = '40' and year = ?
            """,
            [year],
        )
        assert (num, den) == (numerator, denominator)
        assert value == pytest.approx(100 * numerator / denominator, abs=1e-9)


def test_msa_charte_trajectory_passes_through_its_2020_target(demo_home):
    """The charte declares 45 in 2017 (baseline), 50 in 2020 and 55 in 2022: the expected value
    of 2020 is the 2020 target itself, and 2021 lies halfway to the 2022 one."""
    rows = _mart(
        demo_home,
        """
        select year, expected_value from marts.fct_indicator_values
        where scheme_id = 'charte-msa-landes-armagnac-2018-2022'
          and indicator_code = 'TX_COUV_GLOBAL' and territory_level = 'perimetre'
          and year in (2020, 2021) and period_type = 'year'
        order by year
        """,
    )
    assert rows == [(2020, 50.0), (2021, 52.5)]


def test_grading_marts_grade_every_series_with_a_baseline_as_sdsf_grade_does(
    demo_home, tmp_path, capsys
):
    from orchestration.cli import main

    [(series, graded)] = _mart(
        demo_home,
        """
        select
            (select count(*) from (select distinct scheme_id, indicator_code, territory_level,
                territory_code from marts.fct_indicator_values
                where period_type = 'year' and baseline_value is not null)),
            (select count(*) from marts.fct_indicator_grading)
        """,
    )
    assert series == graded > 0
    rows = _mart(
        demo_home,
        """
        select g.scheme_id || '/' || g.indicator_code || '/' || g.territory_code,
            g.baseline_year, g.baseline_value,
            g.latest_year, g.latest_value, g.target_year, g.target_value, d.direction,
            g.natural_limit, g.progress_value, g.score, g.grading_status
        from marts.fct_indicator_grading as g
        join marts.dim_indicators as d using (scheme_id, indicator_code)
        where g.territory_level in ('departement', 'perimetre') and g.latest_year is not null
        order by 1
        """,
    )
    sens = {"up": "hausse", "down": "baisse"}

    def cell(v):
        return "" if v is None else str(v)

    lines = ["serie;annee_reference;valeur_reference;annee_observee;valeur_observee;"
             "annee_cible;cible;sens;limite"]  # fmt: skip
    for r in rows:
        lines.append(";".join([r[0], *map(cell, r[1:7]), sens[r[7]], cell(r[8])]))
    path = tmp_path / "marts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["grade", "--format", "json", str(path)]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert [(c["serie"], c["progress_value"], c["score"], c["status"]) for c in cli] == [
        (r[0], r[9], r[10], r[11]) for r in rows
    ]


def test_epci_coverage_rate_equals_hand_computation(demo_home, landes, expected_places):
    under3, epci_of = landes
    epci = epci_of["40192"]  # Mont-de-Marsan's agglomeration
    members = {c for c, e in epci_of.items() if e == epci}
    numerator = sum(v for (y, c), v in expected_places.items() if y == 2018 and c in members)
    denominator = sum(under3[c] for c in members if c in under3)
    [(value,)] = _mart(
        demo_home,
        """
        select value from marts.fct_indicator_values
        where indicator_code = 'TX_COUV_GLOBAL' and territory_level = 'epci'
          and territory_code = ? and year = 2018
        """,
        [epci],
    )
    assert value == pytest.approx(100 * numerator / denominator, abs=1e-9)


def test_corrected_file_supersedes_the_first_and_both_stay_queryable(demo_home):
    rows = _mart(
        demo_home,
        """
        select file_name, status from raw.submissions
        where partner_code = 'CAF40' and file_name like 'places_2017%' order by file_name
        """,
    )
    assert rows == [
        ("places_2017.csv", "acceptee"),
        ("places_2017_rectificatif.csv", "acceptee"),
    ]
    [(current,)] = _mart(
        demo_home,
        "select count(*) from intermediate.int_placements_latest_revision "
        "where structure_code = 'EAJE-RECTIF-01'",
    )
    assert current == 1


def test_faulty_file_is_rejected_with_receipt_and_loads_nothing(demo_home):
    [(sub_id, status, errors)] = _mart(
        demo_home,
        """
        select submission_id, status, error_count from raw.submissions
        where partner_code = 'ASSO_PARENTS40' and file_name = 'beneficiaires_2018.csv'
        """,
    )
    assert (status, errors) == ("rejetee", 1)
    [(loaded,)] = _mart(
        demo_home, "select count(*) from raw.beneficiaries where submission_id = ?", [sub_id]
    )
    assert loaded == 0
    receipt = json.loads(
        (demo_home / "receipts" / "ASSO_PARENTS40" / f"{sub_id}.json").read_text("utf-8")
    )
    assert receipt["accepted"] is False
    [error] = receipt["errors"]
    assert (error["line"], error["column"], error["rule"]) == (
        4,
        "dont_familles_modestes",
        "within_total",
    )
    text = (demo_home / "receipts" / "ASSO_PARENTS40" / f"{sub_id}.txt").read_text("utf-8")
    assert "REFUSÉ" in text and "ligne 4" in text


def test_the_planted_anomalies_and_nothing_else_get_quality_warnings(demo_home):
    """The demo spec's ``anomalies`` (sources/demo/40-landes.yaml) each fire the rule they
    name on their structure; every other demo figure passes the quality rules."""
    from orchestration.demo import departement_specs

    planted = {
        (a["rule"], a["structure"], str(a.get("period", a.get("year"))))
        for spec in departement_specs()
        for a in spec.get("childcare", {}).get("anomalies", [])
    }
    assert len(planted) == 3
    warnings = _mart(
        demo_home,
        "select rule_code, subject_code, period, value, previous_value, message "
        "from marts.fct_quality_warnings",
    )
    fired = {(rule, subject, period) for rule, subject, period, *_ in warnings}
    assert planted <= fired
    assert {(s, p) for _, s, p in fired} == {(s, p) for _, s, p in planted}
    [(value, previous, message)] = [
        (v, prev, m) for rule, s, _, v, prev, m in warnings if rule == "saut_places"
    ]
    assert int(value) >= 10 * int(previous) and f"contre {previous} en 2021" in message


def test_every_received_file_is_kept(demo_home, demo_files):
    stored = list((demo_home / "store" / "files").glob("*.csv"))
    assert len(stored) == len(demo_files)
    assert not any(p.is_file() for p in (demo_home / "inbox").rglob("*"))


def test_publication_holds_the_marts(demo_home):
    pub = demo_home / "publication" / "publication.duckdb"
    con = duckdb.connect(str(pub), read_only=True)
    try:
        [(rows,)] = con.execute("select count(*) from fct_indicator_values").fetchall()
    finally:
        con.close()
    [(warehouse_rows,)] = _mart(demo_home, "select count(*) from marts.fct_indicator_values")
    assert rows == warehouse_rows > 0


def test_rerun_is_safe_and_changes_nothing(demo_home, demo_files):
    before = _mart(
        demo_home,
        "select scheme_id, indicator_code, territory_level, territory_code, year, value "
        "from marts.fct_indicator_values order by all",
    )
    result = run_sdsf(demo_home, "demo", "--no-site")
    assert "refresh succeeded" in result.stdout
    after = _mart(
        demo_home,
        "select scheme_id, indicator_code, territory_level, territory_code, year, value "
        "from marts.fct_indicator_values order by all",
    )
    assert after == before
    [(count,)] = _mart(demo_home, "select count(*) from raw.submissions")
    assert count == len(demo_files)


def test_a_full_refresh_leaves_the_receipts_reference_codes_ready(demo_home):
    """The first partner receipt after a change of the sources does not read the COG and every
    scheme again (about a second): the full refresh that followed the change did."""
    cache = json.loads((demo_home / "cache" / "validation_reference.json").read_text())
    assert {"communes", "epci", "actions", "years", "partner_schemes"} <= set(cache)
    assert "landes-2016-2018" in cache["partner_schemes"]["CAF40"]
