"""The sign-off pages over HTTP: each role's navigation, the partner's audited 403s, the
committee's and the reviewer's steps and their French refusals (nothing written)."""

from __future__ import annotations

import json
import re

from orchestration import audit
from tests.portal.conftest import COMMITTEE, ENGINEER, ESSONNE, LANDES, PARTNER_A, REVIEWER

SIGN_OFF_LINKS = ('href="/periodes"', 'href="/avertissements"', 'href="/suivi"')


def _steps(portal) -> list[dict]:
    path = portal.home / "approvals" / "steps.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _row(page: str, scheme: str, period: str) -> str:
    match = re.search(rf'<tr id="periode-{scheme}-{period}".*?</tr>', page, re.S)
    assert match, f"no row for {scheme} {period}"
    return match[0]


def _post_step(client, scheme: str, period: str, step: str, comment: str = ""):
    token = client.csrf("/periodes")
    return client.post_form(
        f"/periodes/{scheme}/{period}/{step}", {"csrf": token, "commentaire": comment}
    )


def test_each_role_is_shown_only_what_it_may_do(signoff_portal):
    partner = signoff_portal.client(PARTNER_A).get("/espace").text
    assert not any(link in partner for link in SIGN_OFF_LINKS)
    assert "Approuver" not in partner
    committee = signoff_portal.client(COMMITTEE)
    assert committee.get("/").location == "/periodes"
    page = committee.get("/periodes").text
    assert 'href="/periodes"' in page and 'href="/suivi"' not in page
    assert 'href="/espace"' not in page and 'href="/avertissements"' not in page
    assert f'id="schema-{LANDES}"' in page and f'id="schema-{ESSONNE}"' not in page
    assert "Déverrouiller" not in page and "Marquer revu" not in page
    for login in (REVIEWER, ENGINEER):  # the former engineer account is a reviewer
        reviewer = signoff_portal.client(login)
        assert reviewer.get("/").location == "/suivi"
        page = reviewer.get("/periodes").text
        assert all(link in page for link in SIGN_OFF_LINKS)
        assert f'id="schema-{ESSONNE}"' in page and "Approuver</button>" not in page


def test_the_period_row_counts_the_expected_files_and_the_warnings(signoff_portal):
    row = _row(signoff_portal.client(COMMITTEE).get("/periodes").text, LANDES, "2017")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    expected, received = int(cells[0]), int(cells[1])
    assert received == 1 and expected > received  # CAF40's placements, the rest missing
    assert cells[2].startswith(str(expected - received))
    assert "CAF40 attendance 2017-T1" in cells[2]
    assert cells[3].startswith("1")  # the warning of 8 children a place
    assert "provisoire" in cells[4]


def test_a_partner_is_refused_every_sign_off_url_in_french_and_audited(signoff_portal):
    partner = signoff_portal.client(PARTNER_A)
    token = partner.csrf("/espace")
    before = _steps(signoff_portal)
    answers = [
        partner.get("/periodes"),
        partner.get("/avertissements"),
        partner.post_form(f"/periodes/{LANDES}/2016/approve", {"csrf": token}),
        partner.post_form(f"/periodes/{LANDES}/2016/review", {"csrf": token}),
        partner.post_form("/avertissements", {"csrf": token, "avertissement": "x:1:y"}),
        partner.get("/suivi"),
    ]
    for answer in answers:
        assert answer.status == 403
        assert "Accès refusé : un compte partenaire ne peut pas" in answer.text
    assert _steps(signoff_portal) == before
    refused = [
        r
        for r in audit.read_trail(signoff_portal.home).records
        if r["event"] == "access_refused" and r["who"] == PARTNER_A
    ]
    assert {r["details"]["action"] for r in refused} >= {"sign_off", "justify", "approve"}


def test_the_committee_approves_its_own_scheme_once_and_nothing_else(signoff_portal):
    committee = signoff_portal.client(COMMITTEE)
    before = _steps(signoff_portal)
    other = _post_step(committee, ESSONNE, "2016", "approve")
    assert other.status == 403 and f"« {ESSONNE} »" in other.text
    assert _post_step(committee, LANDES, "2016", "review").status == 403
    assert _post_step(committee, LANDES, "2016", "unlock", "raison").status == 403
    assert committee.get("/avertissements").status == 403
    no_token = committee.post_form(f"/periodes/{LANDES}/2016/approve", {"commentaire": ""})
    assert no_token.status == 403
    assert _steps(signoff_portal) == before

    approved = _post_step(committee, LANDES, "2016", "approve", "vu en séance")
    assert approved.status == 303
    step = _steps(signoff_portal)[-1]
    assert (step["step"], step["who"], step["comment"]) == ("approve", COMMITTEE, "vu en séance")
    assert step["missing"] and all(" 2016" in m for m in step["missing"])
    row = _row(committee.get("/periodes").text, LANDES, "2016")
    assert "validé" in row and f"par {COMMITTEE}" in row and "vu en séance" in row
    assert f"Fichiers manquants à la validation ({len(step['missing'])})" in row
    assert "Approuver</button>" not in row

    again = _post_step(committee, LANDES, "2016", "approve")
    assert again.status == 409 and "déjà validée" in again.text
    assert _steps(signoff_portal)[-1] == step


def test_the_reviewer_reviews_unlocks_with_a_reason_and_justifies(signoff_portal):
    reviewer, committee = signoff_portal.client(REVIEWER), signoff_portal.client(COMMITTEE)
    assert _post_step(reviewer, LANDES, "2018", "approve").status == 403
    assert _post_step(reviewer, LANDES, "2018", "review", "chiffres relus").status == 303
    assert "revu" in _row(reviewer.get("/periodes").text, LANDES, "2018")
    assert _post_step(committee, LANDES, "2018", "approve").status == 303
    count = len(_steps(signoff_portal))
    no_reason = _post_step(reviewer, LANDES, "2018", "unlock", "  ")
    assert no_reason.status == 409 and "doit dire pourquoi" in no_reason.text
    assert len(_steps(signoff_portal)) == count
    assert _post_step(reviewer, LANDES, "2018", "unlock", "fichier CAF corrigé").status == 303
    row = _row(reviewer.get("/periodes").text, LANDES, "2018")
    assert "provisoire" in row and "fichier CAF corrigé" in row

    page = reviewer.get("/avertissements").text
    warning = re.search(r'name="avertissement" value="([^"]+enfants_par_place)"', page)[1]
    token = reviewer.csrf("/avertissements")
    empty = reviewer.post_form(
        "/avertissements", {"csrf": token, "avertissement": warning, "commentaire": ""}
    )
    assert empty.status == 400 and "un commentaire est obligatoire" in empty.text
    done = reviewer.post_form(
        "/avertissements",
        {"csrf": token, "avertissement": warning, "commentaire": "micro-crèche agréée"},
    )
    assert done.status == 303
    page = reviewer.get("/avertissements").text
    assert f"justifié par {REVIEWER} : micro-crèche agréée" in page
    row = _row(reviewer.get("/periodes").text, LANDES, "2017")
    assert "à examiner" not in row
