"""The lock at intake: a file for an approved period is kept, loaded and held until unlocked.

On the starter deployment of tests/test_deployment.py (one partner, CAF48, real Dagster, dbt and
DuckDB through the command line): 2022 is approved, then CAF48 sends corrected placements
(`sdsf submit`) and corrected beneficiaries (the inbox). Both receipts say they wait, and the
run after changes no figure and no edition. An unlock with its reason and a run then give the
figures of a warehouse built from scratch with the corrected files, and the audit trail tells it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration import approvals, audit
from orchestration.portal.receiving import ReferenceCache, receive_upload
from orchestration.publication import PUBLISHED_MARTS
from tests.test_deployment import (
    BENEFICIARIES,
    DEPARTEMENT,
    PLACEMENTS,
    SCHEME,
    START,
    UNDER_3,
    _init,
    _ok,
    _query,
    sdsf,
    write_population,
)
from tests.test_incremental import _marts

PARTNER = f"CAF{DEPARTEMENT}"
CORRECTED_PLACEMENTS = PLACEMENTS.replace(";24;30", ";30;33")
CORRECTED_BENEFICIARIES = BENEFICIARIES.replace(";42", ";57")
WAITING = "période validée : fichier conservé, en attente de déverrouillage"
# What the figures are made of: the published marts but those about the files' arrival (days
# received, warnings on each file), which a new file changes even while it is held, and the
# sign-off itself (fct_period_approvals), which the approval changes.
FIGURES = sorted(
    set(PUBLISHED_MARTS)
    - {
        "fct_submission_completeness",
        "fct_submission_timeliness",
        "fct_quality_warnings",
        "fct_period_approvals",
    }
)


def _tables(path: Path, schema: str) -> dict[str, list[tuple]]:
    return {name: rows for name, rows in _marts(path, schema).items() if name in FIGURES}


def _submit(home: Path, sources: Path, tmp: Path, kind: str, text: str, name: str):
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return _ok(
        sdsf(home, sources, "submit", "--partner", PARTNER, "--kind", kind, str(path), "--no-run")
    )


def _edition(home: Path) -> dict[str, list[tuple]]:
    return _tables(home / "editions" / "courante" / "site.duckdb", "main")


def _coverage(home: Path) -> float:
    [(value,)] = _query(
        home,
        f"select value from marts.fct_indicator_values where scheme_id = '{SCHEME}' and "
        f"indicator_code = 'TX_COUV_GLOBAL' and territory_level = 'departement' and year = {START}",
    )
    return value


def _other_years(home: Path) -> list[tuple]:
    """Indicator values of every year but the corrected one."""
    return _query(
        home,
        f"select * from marts.fct_indicator_values where year <> {START} order by all",
    )


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """The deployment run once, then approved, sent corrections, run, unlocked and run."""
    tmp = tmp_path_factory.mktemp("locks")
    sources, home = _init(tmp), tmp / "home"
    write_population(sources)
    _submit(home, sources, tmp, "placements", PLACEMENTS, "places.csv")
    _submit(home, sources, tmp, "beneficiaries", BENEFICIARIES, "beneficiaires.csv")
    _ok(sdsf(home, sources, "run", "--no-site"))
    out = {"home": home, "sources": sources, "tmp": tmp}
    out["before"] = _tables(home / "warehouse.duckdb", "marts")
    out["other_years_before"] = _other_years(home)
    out["edition_before"] = _edition(home)

    _ok(sdsf(home, sources, "approve", "--scheme", SCHEME, "--period", str(START)))
    out["submitted"] = _submit(
        home, sources, tmp, "placements", CORRECTED_PLACEMENTS, "places_corrige.csv"
    )
    inbox = home / "inbox" / PARTNER / "beneficiaries"
    inbox.mkdir(parents=True)
    (inbox / "beneficiaires_corrige.csv").write_text(CORRECTED_BENEFICIARIES, encoding="utf-8")
    out["held_run"] = _ok(sdsf(home, sources, "run", "--no-site"))
    out["held"] = _tables(home / "warehouse.duckdb", "marts")
    out["edition_held"] = _edition(home)
    out["holds"] = _query(home, "select scheme_id, period from raw.submission_holds order by 1")
    out["status"] = sdsf(home, sources, "status")
    out["held_coverage"] = _coverage(home)

    out["no_reason"] = sdsf(home, sources, "unlock", "--scheme", SCHEME, "--period", str(START))
    _ok(sdsf(home, sources, "unlock", "--scheme", SCHEME, "--period", str(START),
             "--reason", "fichiers corrigés de la CAF"))  # fmt: skip
    _ok(sdsf(home, sources, "run", "--no-site"))
    out["after"] = _tables(home / "warehouse.duckdb", "marts")
    out["holds_after"] = _query(home, "select count(*) from raw.submission_holds")
    out["other_years_after"] = _other_years(home)
    return out


def test_a_file_for_an_approved_period_is_kept_and_its_receipt_says_it_waits(story):
    receipt = story["submitted"].stdout
    assert WAITING in receipt and f"schéma « {SCHEME} », période {START}" in receipt
    home = story["home"]
    texts = {p.read_text(encoding="utf-8") for p in (home / "receipts" / PARTNER).glob("*.txt")}
    assert sum(WAITING in t for t in texts) == 2, "the submitted and the inbox file both wait"
    assert story["holds"] == [(SCHEME, str(START))] * 2
    # Kept and loaded: both files' rows are in raw, only the models leave them out.
    assert _query(home, "select count(*) from raw.placements") == [(4,)]
    assert _query(home, "select count(*) from raw.beneficiaries") == [(2,)]
    assert "en attente de déverrouillage" in story["status"].stdout
    assert "places_corrige.csv" in story["status"].stdout
    assert "beneficiaires_corrige.csv" in story["status"].stdout


def test_while_held_no_figure_and_no_edition_changes(story):
    assert story["held"] == story["before"]
    assert story["edition_held"] == story["edition_before"]
    assert story["held_coverage"] == pytest.approx(100 * 24 / UNDER_3)


def test_unlock_needs_a_reason(story):
    assert story["no_reason"].returncode == 1
    assert "doit dire pourquoi" in story["no_reason"].stderr


def test_after_the_unlock_exactly_the_corrected_figures_change(story, tmp_path):
    home, sources = story["home"], story["sources"]
    assert story["holds_after"] == [(0,)]
    assert _coverage(home) == pytest.approx(100 * 30 / UNDER_3)
    changed = {name for name in FIGURES if story["after"][name] != story["before"][name]}
    assert "fct_indicator_values" in changed
    assert story["other_years_after"] == story["other_years_before"]
    # A warehouse built from scratch with the corrected files gives the same figures.
    scratch = tmp_path / "scratch"
    _submit(scratch, sources, tmp_path, "placements", PLACEMENTS, "places.csv")
    _submit(scratch, sources, tmp_path, "beneficiaries", BENEFICIARIES, "beneficiaires.csv")
    _submit(scratch, sources, tmp_path, "placements", CORRECTED_PLACEMENTS, "places_corrige.csv")
    _submit(
        scratch, sources, tmp_path, "beneficiaries", CORRECTED_BENEFICIARIES,
        "beneficiaires_corrige.csv",
    )  # fmt: skip
    _ok(sdsf(scratch, sources, "run", "--no-site"))
    assert _tables(scratch / "warehouse.duckdb", "marts") == story["after"]
    statuses = {
        json.loads(p.read_text())["file_name"]: json.loads(p.read_text())["status"]
        for p in (home / "store" / "manifests").glob("*.json")
    }
    assert set(statuses.values()) == {"acceptee"}, statuses


def test_the_audit_trail_tells_the_upload_the_approval_and_the_unlock(story):
    trail = json.loads(
        _ok(sdsf(story["home"], story["sources"], "audit", "--format", "json")).stdout
    )
    events = [r["event"] for r in trail]
    approved = events.index("period_approved")
    unlocked = events.index("period_unlocked")
    held = [
        i
        for i, r in enumerate(trail)
        if r["event"] == "receipt_accepted" and r["details"].get("holds")
    ]
    held_files = {trail[i]["subject"] for i in held}  # `sdsf submit`, then the run, receipt it
    assert len(held_files) == 2 and approved < min(held) and max(held) < unlocked
    uploads = [
        i
        for i, r in enumerate(trail)
        if r["event"] == "file_received" and r["subject"] in held_files
    ]
    assert len(uploads) == 2 and approved < min(uploads)
    assert trail[unlocked]["details"]["comment"] == "fichiers corrigés de la CAF"
    assert trail[held[0]]["details"]["holds"][0]["scheme"] == SCHEME


# --------------------------------------------------------------------------- the rule itself
LANDES, CHARTE = "landes-2016-2018", "charte-msa-landes-armagnac-2018-2022"
YEARS = {LANDES: (2016, 2018), CHARTE: (2018, 2022)}
SENDS_TO = {"CAF40": {LANDES, CHARTE}, "CAF48": {"lozere-2016-2019"}}
ACTOR = audit.Actor("comite", "cli")


def _step(home: Path, step: str, scheme: str, period: str) -> str:
    entry = approvals.record_step(
        home, step, scheme=scheme, period=period, schemes=YEARS, actor=ACTOR, comment="motif"
    )
    return entry["at"]


def _held(home: Path, partner: str, periods: list[str], received: str) -> list[tuple]:
    found = approvals.holds_of(
        approvals.states(home),
        partner=partner,
        periods=periods,
        received_at=received,
        partner_schemes=SENDS_TO,
    )
    return [(h.scheme, h.period) for h in found]


def test_a_file_is_held_for_every_scheme_whose_period_is_approved_before_it_came(tmp_path):
    _step(tmp_path, "approve", LANDES, "2018")
    _step(tmp_path, "approve", CHARTE, "2018")
    later = "2999-01-01T00:00:00+00:00"
    assert _held(tmp_path, "CAF40", ["2018-T2"], later) == [(CHARTE, "2018"), (LANDES, "2018")]
    assert _held(tmp_path, "CAF40", ["2017"], later) == []  # another year
    assert _held(tmp_path, "CAF48", ["2018"], later) == []  # another département's partner
    assert _held(tmp_path, "CAF40", ["2018"], "2000-01-01T00:00:00+00:00") == []  # came before


def test_an_unlock_releases_and_a_new_approval_holds_only_later_files(tmp_path):
    _step(tmp_path, "approve", LANDES, "2017")
    between = "2999-01-01T00:00:00+00:00"
    assert _held(tmp_path, "CAF40", ["2017"], between) == [(LANDES, "2017")]
    _step(tmp_path, "unlock", LANDES, "2017")
    assert _held(tmp_path, "CAF40", ["2017"], between) == []
    approved_again = _step(tmp_path, "approve", LANDES, "2017")
    assert _held(tmp_path, "CAF40", ["2017"], "2000-01-01T00:00:00+00:00") == []
    assert _held(tmp_path, "CAF40", ["2017"], approved_again) == []  # not after it
    assert _held(tmp_path, "CAF40", ["2017"], between) == [(LANDES, "2017")]


def test_the_portal_receipt_of_a_held_file_says_it_waits(tmp_path, monkeypatch):
    monkeypatch.setenv("SDSF_HOME", str(tmp_path))
    monkeypatch.setenv("SDSF_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    _step(tmp_path, "approve", LANDES, "2017")
    data = (
        b"periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"
        b"2017;EAJE-40192-9;EAJE_COLLECTIF;40192;12;14\n"
    )
    sub, receipt, _ = receive_upload(
        tmp_path,
        data,
        partner="CAF40",
        kind="placements",
        file_name="places_2017.csv",
        cache=ReferenceCache(),
        actor=audit.Actor("CAF40", "portail"),
    )
    text = receipt.to_text()
    assert receipt.accepted and WAITING in text
    assert "Résultat : ACCEPTÉ" in text and "REFUSÉ" not in text
    assert f"schéma « {LANDES} », période 2017" in receipt.to_text()
    assert sub.manifest()["status"] == approvals.HELD
    assert {h["scheme"] for h in receipt.to_dict()["holds"]} == {LANDES}
