"""Data-quality rules across files and years, on a real DuckDB warehouse in ``tmp_path``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from orchestration.intake.quality import QualityRulesError, load_rules
from orchestration.intake.service import process_submissions
from orchestration.intake.store import SubmissionStore

PLACES = "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"


def _send(home, con, partner, kind, text, day):
    sub, _ = SubmissionStore(home).put(
        text.encode(),
        partner=partner,
        kind=kind,
        file_name=f"{kind}-{day}.csv",
        received_at=datetime(2018, 1, day, tzinfo=UTC),
    )
    [outcome] = process_submissions(home, con, [sub.submission_id])
    return outcome


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def test_places_jumping_tenfold_get_a_warning_naming_the_previous_value(tmp_path, con):
    first = (
        PLACES + "2016;EAJE-1;EAJE_COLLECTIF;40192;24;30\n2016;EAJE-2;MICRO_CRECHE;40192;10;12\n"
    )
    _send(tmp_path, con, "CAF40", "placements", first, 1)
    second = (
        PLACES + "2017;EAJE-1;EAJE_COLLECTIF;40192;240;30\n2017;EAJE-2;MICRO_CRECHE;40192;11;12\n"
    )
    outcome = _send(tmp_path, con, "CAF40", "placements", second, 2)
    assert outcome.receipt.accepted and outcome.rows_loaded == 2
    [warning] = [w for w in outcome.receipt.warnings if w.rule == "saut_places"]
    assert (warning.line, warning.column, warning.value) == (2, "places", "240")
    assert (warning.previous_value, warning.previous_period) == ("24", "2016")
    assert "240 contre 24 en 2016" in warning.message
    record = json.loads(outcome.receipt_path.with_suffix(".json").read_text(encoding="utf-8"))
    [shown] = [w for w in record["warnings"] if w["rule"] == "saut_places"]
    assert shown["previous_value"] == "24" and shown["severity"] == "warning"
    assert "240 contre 24 en 2016" in outcome.receipt_path.read_text(encoding="utf-8")


def test_hours_beyond_the_structures_capacity_get_a_warning(tmp_path, con):
    _send(
        tmp_path, con, "CAF40", "placements", PLACES + "2017;EAJE-1;EAJE_COLLECTIF;40192;10;12\n", 1
    )
    hours = (
        "periode;code_structure;heures_theoriques;heures_realisees;heures_facturees;jours_ouverture\n"
        "2017-T1;EAJE-1;7000;6500;6600;60\n"  # 10 places x 60 days x 12 h = 7 200 h: fine
        "2017-T2;EAJE-1;9000;8000;8000;60\n"  # beyond 7 200 h
    )
    outcome = _send(tmp_path, con, "CAF40", "attendance", hours, 2)
    assert outcome.receipt.accepted
    [warning] = [w for w in outcome.receipt.warnings if w.rule == "heures_au_dela_capacite"]
    assert (warning.line, warning.value) == (3, "8000")
    assert "10 places × 60 jours" in warning.message and "7\u202f200 h" in warning.message


def test_a_blocking_rule_refuses_the_file_and_loads_nothing(tmp_path, con, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "quality_rules.yaml").write_text(
        "rules:\n  - {code: trop_enfants, check: ratio, measure: enfants_accueillis, "
        "max_ratio: 2, blocking: true, message: '{value} enfants pour {places} places'}\n",
        encoding="utf-8",
    )
    from orchestration.settings import SOURCES_DIR

    (sources / "measures.yaml").write_bytes((SOURCES_DIR / "measures.yaml").read_bytes())
    monkeypatch.setenv("SDSF_SOURCES", str(sources))
    outcome = _send(tmp_path, con, "CAF40", "placements", PLACES + "2017;E1;MAM;40192;4;9\n", 1)
    assert not outcome.receipt.accepted and outcome.rows_loaded == 0
    [error] = outcome.receipt.errors
    assert (error.rule, error.severity, error.message) == (
        "trop_enfants",
        "blocking",
        "9 enfants pour 4 places",
    )
    assert con.execute("select count(*) from raw.placements").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("{code: a, check: bond, measure: places, message: m}", "contrôle « bond » inconnu"),
        ("{code: a, check: jump, measure: lits, message: m}", "mesure « lits » inconnue"),
        ("{code: a, check: jump, measure: places, message: m}", "seuil « factor » manquant"),
        ("{code: a, check: jump, measure: places, factor: 0.5, message: m}", "il doit dépasser 1"),
        (
            "{code: a, check: capacity, measure: places, hours_per_day: 10, message: m}",
            "ne s'applique pas",
        ),
        (
            "{code: a, check: jump, measure: places, factor: 3, message: '{valeur}'}",
            "champ(s) inconnu(s) valeur",
        ),
        (
            "{code: a, check: jump, measure: places, factor: 3, blocking: oui, message: m}",
            "« blocking » vaut true ou false",
        ),
    ],
)
def test_a_malformed_rules_file_is_refused_naming_the_file_and_the_rule(tmp_path, rule, says):
    path = tmp_path / "quality_rules.yaml"
    path.write_text(f"rules:\n  - {rule}\n", encoding="utf-8")
    with pytest.raises(QualityRulesError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and "règle a" in str(caught.value)
    assert says in str(caught.value)


def test_the_shipped_rules_load():
    codes = {r.code for r in load_rules()}
    assert {"saut_places", "heures_au_dela_capacite", "enfants_par_place"} <= codes


def _jumping(tmp_path, con):
    first = PLACES + "2016;EAJE-1;EAJE_COLLECTIF;40192;24;30\n"
    _send(tmp_path, con, "CAF40", "placements", first, 1)
    second = PLACES + "2017;EAJE-1;EAJE_COLLECTIF;40192;240;30\n"
    return _send(tmp_path, con, "CAF40", "placements", second, 2)


def test_warnings_of_an_accepted_file_reach_the_warehouse(tmp_path, con):
    outcome = _jumping(tmp_path, con)
    rows = con.execute(
        "select warning_id, line, rule, value, previous_value, previous_period"
        " from raw.quality_warnings"
    ).fetchall()
    sid = outcome.submission.submission_id
    assert rows == [(f"{sid}:2:saut_places", 2, "saut_places", "240", "24", "2016")]


def test_a_justification_shows_on_the_receipt_and_in_the_audit_trail(tmp_path, con, monkeypatch):
    from orchestration import audit
    from orchestration.cli import main

    outcome = _jumping(tmp_path, con)
    sid = outcome.submission.submission_id
    # what `sdsf` exports for its children, restored after the test
    for name in ("SDSF_HOME", "SDSF_WAREHOUSE", "DAGSTER_HOME"):
        monkeypatch.setenv(name, str(tmp_path / ("" if name == "SDSF_HOME" else name.lower())))
    code = main(
        [
            "justify",
            "--submission",
            sid,
            "--line",
            "2",
            "--rule",
            "saut_places",
            "--comment",
            "Extension de la crèche en 2017",
        ]
    )
    assert code == 0
    record = json.loads(outcome.receipt_path.with_suffix(".json").read_text(encoding="utf-8"))
    [warning] = [w for w in record["warnings"] if w["rule"] == "saut_places"]
    assert warning["justification"]["comment"] == "Extension de la crèche en 2017"
    manifest = outcome.submission.manifest()
    assert "justification" in manifest["receipt"]["warnings"][0]
    assert "Extension de la crèche en 2017" in outcome.receipt_path.read_text(encoding="utf-8")
    events = [r["event"] for r in audit.read_trail(tmp_path).records]
    assert events[-1] == "warning_justified"


@pytest.mark.parametrize(
    ("warning", "comment", "says"),
    [
        ("CAF40-placements-0000000000000000:2:saut_places", "ok", "aucun fichier reçu"),
        (None, "", "un commentaire est obligatoire"),
        (
            "{sid}:3:saut_places",
            "ok",
            "pas d'avertissement de qualité « saut_places » à la ligne 3",
        ),
    ],
)
def test_a_justification_that_cannot_hold_is_refused_and_changes_nothing(
    tmp_path, con, warning, comment, says
):
    from orchestration.intake.justifications import (
        JustificationRefused,
        justifications_path,
        justify,
    )

    outcome = _jumping(tmp_path, con)
    sid = outcome.submission.submission_id
    before = outcome.receipt_path.with_suffix(".json").read_bytes()
    warning = (warning or f"{sid}:2:saut_places").format(sid=sid)
    with pytest.raises(JustificationRefused, match=says):
        justify(tmp_path, warning, comment)
    assert not justifications_path(tmp_path).exists()
    assert outcome.receipt_path.with_suffix(".json").read_bytes() == before


def test_the_quality_mart_shows_the_warning_its_previous_value_and_its_justification(
    tmp_path, con, monkeypatch
):
    import dagster as dg
    from dagster_duckdb import DuckDBResource

    from orchestration import vocabulary
    from orchestration.defs.quality.assets import quality_review
    from orchestration.intake.justifications import justify
    from orchestration.warehouse import replace_tables
    from tests.conftest import dbt_build

    outcome = _jumping(tmp_path, con)
    sid = outcome.submission.submission_id
    justify(tmp_path, f"{sid}:2:saut_places", "Extension de la crèche")
    replace_tables(con, {"vocabulary": vocabulary.vocabulary_table()})
    con.close()
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    result = dg.materialize(
        [quality_review], resources={"warehouse": DuckDBResource(database=str(warehouse))}
    )
    assert result.success
    built = dbt_build(warehouse, tmp_path, "+fct_quality_warnings")
    assert built.returncode == 0, built.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as mart:
        rows = mart.execute(
            "select partner_code, period, subject_code, rule_code, value, previous_value,"
            " previous_period, justified, review_status_label, justification_comment"
            " from marts.fct_quality_warnings"
        ).fetchall()
    assert rows == [
        (
            "CAF40",
            "2017",
            "EAJE-1",
            "saut_places",
            "240",
            "24",
            "2016",
            True,
            "justifié",
            "Extension de la crèche",
        )
    ]


def test_a_file_judged_again_keeps_its_justification_on_the_receipt(tmp_path, con):
    from orchestration.intake.justifications import justify

    outcome = _jumping(tmp_path, con)
    sid = outcome.submission.submission_id
    justify(tmp_path, f"{sid}:2:saut_places", "Extension de la crèche")
    [again] = process_submissions(tmp_path, con, [sid], reprocess=frozenset({sid}))
    assert any(w.rule == "saut_places" for w in again.receipt.warnings)
    record = json.loads(again.receipt_path.with_suffix(".json").read_text(encoding="utf-8"))
    [warning] = [w for w in record["warnings"] if w["rule"] == "saut_places"]
    assert warning["justification"]["comment"] == "Extension de la crèche"
    assert "Extension de la crèche" in again.receipt_path.read_text(encoding="utf-8")


def test_places_far_from_similar_structures_get_a_warning_naming_the_median(tmp_path, con):
    peers = "".join(f"2017;MC-{i};MICRO_CRECHE;40192;{10 + i % 3};12\n" for i in range(12))
    _send(tmp_path, con, "CAF40", "placements", PLACES + peers, 1)
    other = PLACES + "2017;MC-X;MICRO_CRECHE;40192;400;12\n2017;MC-Y;MICRO_CRECHE;40192;12;12\n"
    outcome = _send(tmp_path, con, "CD40", "placements", other, 2)
    [warning] = [w for w in outcome.receipt.warnings if w.rule == "places_atypiques"]
    assert (warning.line, warning.value) == (2, "400")
    assert "médiane 11 sur 14 structures" in warning.message
