"""The action-report form: a partner sees only the actions it may report on; what it posts
becomes an action_reports file that goes through the intake; a forged post stores nothing."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid

from models import CONTRACTS
from models.common import french_names
from orchestration import schemes as scheme_defs
from orchestration.calendar import parse_period
from orchestration.intake.action_reports import action_references
from orchestration.intake.validation import ReferenceData, validate_bytes
from orchestration.portal.action_form import Entry, report_csv, reportable_actions
from tests.portal.conftest import PARTNER_A, PARTNER_B

FORM = "/suivi-des-actions"
LANDES = "landes-2016-2018"


def _landes() -> list:
    return [s for s in scheme_defs.load_schemes() if s.id == LANDES]


def _landes_actions() -> dict:
    return action_references(_landes())


def _post(client, fields: dict[str, str], *, csrf: str | None = "auto"):
    if csrf == "auto":
        csrf = client.csrf(f"{FORM}?periode=2017")
    body = {"periode": "2017", **fields}
    if csrf is not None:
        body["csrf"] = csrf
    return client.post_form(FORM, body)


def _submission_of(response) -> str:
    assert response.status == 303, response.text[:800]
    return response.location.rsplit("/", 1)[1]


def _receipt(client, sub_id: str) -> dict:
    return json.loads(client.get(f"/envois/{sub_id}/accuse.json").text)


def test_a_partner_sees_the_actions_it_pilots_or_partners_and_no_other(portal):
    page = portal.client(PARTNER_A).get(f"{FORM}?periode=2017")
    assert page.status == 200
    shown = set(re.findall(r'<fieldset id="action-([^"]+)"', page.text))
    references = _landes_actions()
    mine = {code for code, ref in references.items() if ref.may_report(PARTNER_A)}
    assert "LAN-1.1" in mine and "LAN-3.6" not in mine  # CAF40 pilots the one, not the other
    assert shown & set(references) == mine
    assert "Outil de sensibilisation au bon usage du Net" not in page.text  # LAN-3.6's milestone
    assert "Plan de communication du schéma adopté par les signataires" in page.text
    assert "en cours" in page.text and 'value="EN_COURS"' in page.text  # labels, sending codes
    # The partner's space links the form for the years action reports are expected.
    assert f'href="{FORM}?periode=2017"' in portal.client(PARTNER_A).get("/espace").text


def test_a_valid_post_stores_one_action_report_and_shows_its_accepted_receipt(portal):
    client = portal.client(PARTNER_A)
    tag = uuid.uuid4().hex[:8]
    before = portal.manifests()
    response = _post(
        client,
        {
            "etat:LAN-4.1": "EN_COURS",
            "part:LAN-4.1": "40",
            "jalon:LAN-4.1:LAN-4.1-J1": "2016-11-15",
            "jalon:LAN-4.1:LAN-4.1-J2": "2017-09-01",
            "commentaire:LAN-4.1": f"Plan adopté ; pages « en ligne » {tag}",
            "etat:LAN-1.3": "REALISEE",  # CAF40 is a partner of this action, not its pilot
            "etat:LAN-1.1": "",  # left blank: not reported
            "part:LAN-1.1": "",
        },
    )
    sub_id = _submission_of(response)
    assert portal.manifests() - before == {f"{sub_id}.json"}
    manifest = json.loads((portal.home / "store" / "manifests" / f"{sub_id}.json").read_text())
    assert (manifest["partner"], manifest["kind"]) == (PARTNER_A, "action_reports")
    stored = (portal.home / "store" / "files" / f"{manifest['sha256']}.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(stored.decode("utf-8")), delimiter=";"))
    assert rows[0] == list(french_names(CONTRACTS["action_reports"]).values())
    comment = f"Plan adopté ; pages « en ligne » {tag}"
    assert sorted(rows[1:]) == sorted(
        [
            ["2017", "LAN-4.1", "EN_COURS", "40", "LAN-4.1-J1", "2016-11-15", comment],
            ["2017", "LAN-4.1", "EN_COURS", "40", "LAN-4.1-J2", "2017-09-01", ""],
            ["2017", "LAN-1.3", "REALISEE", "", "", "", ""],
        ]
    )
    receipt = _receipt(client, sub_id)
    assert receipt["accepted"] is True, receipt["errors"]
    assert "ACCEPTÉ" in client.get(f"/envois/{sub_id}").text
    # The form now opens on what was sent, so the next revision starts from it.
    form = client.get(f"{FORM}?periode=2017").text
    assert 'value="2016-11-15"' in form and tag in form
    assert re.search(r'name="etat:LAN-1.3">.*?value="REALISEE" selected', form, re.S)


def test_a_post_for_another_partners_action_or_without_token_stores_nothing(portal):
    client = portal.client(PARTNER_A)
    before = portal.manifests(), portal.stored_files()
    foreign = _post(client, {"etat:LAN-4.1": "EN_COURS", "etat:LAN-3.6": "REALISEE"})
    assert foreign.status == 403
    assert "LAN-3.6" in foreign.text and "UDAF40" in foreign.text  # whose action it is
    assert "Rien n&#39;a été enregistré" in foreign.text
    unknown = _post(client, {"etat:LAN-99": "EN_COURS"})
    assert unknown.status == 403 and "LAN-99" in unknown.text
    valid = {"etat:LAN-4.1": "REPORTEE"}
    missing = _post(client, valid, csrf=None)
    assert missing.status == 403 and "Jeton de sécurité" in missing.text
    assert _post(client, valid, csrf="forged").status == 403
    other = portal.client(PARTNER_B).csrf(f"{FORM}?periode=2017")
    assert _post(client, valid, csrf=other).status == 403
    assert (portal.manifests(), portal.stored_files()) == before


def test_bad_values_come_back_as_the_intake_receipts_french_errors(portal):
    client = portal.client(PARTNER_A)
    response = _post(
        client,
        {
            "etat:LAN-1.1": "EN_COURS",
            "part:LAN-1.1": "150",
            "etat:LAN-1.2": "TERMINEE",
            "etat:LAN-4.1": "EN_COURS",
            "jalon:LAN-4.1:LAN-4.1-J1": "2015-06-01",
        },
    )
    receipt = _receipt(client, _submission_of(response))
    assert receipt["accepted"] is False
    by_column = {e["column"]: e for e in receipt["errors"]}
    assert by_column["part_realisee"]["rule"] == "share_out_of_range"
    assert by_column["part_realisee"]["value"] == "150"
    assert "de 0 à 100" in by_column["part_realisee"]["message"]
    assert by_column["etat"]["value"] == "TERMINEE"
    assert by_column["date_jalon"]["rule"] == "milestone_before_scheme"


def test_the_form_offers_an_action_only_in_the_years_the_intake_accepts_a_report_on_it():
    schemes = _landes()
    offered = reportable_actions(PARTNER_A, schemes, parse_period("2018"))
    assert "LAN-4.1" in {a.code for a in offered}
    assert reportable_actions(PARTNER_A, schemes, parse_period("2019")) == []
    # The same file for a year after the scheme: the intake refuses it, on the same rule.
    lan41 = [a for a in offered if a.code == "LAN-4.1"]
    entries = {"LAN-4.1": Entry(state="EN_COURS")}
    reference = ReferenceData(actions=action_references(schemes), partner=PARTNER_A)
    accepted = validate_bytes(
        report_csv("2018", lan41, entries), "action_reports", reference=reference
    )
    assert accepted.receipt.accepted, accepted.receipt.errors
    late = validate_bytes(report_csv("2019", lan41, entries), "action_reports", reference=reference)
    assert [e.rule for e in late.receipt.errors] == ["period_outside_action_scheme"]
