"""The audit trail of a real portal: sign-ins, uploads and their receipts, the action form and
account changes, each with who and from where; repeated failed sign-ins slowed, then refused."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pytest

from orchestration import audit
from tests.conftest import REPO, SDSF, pipeline_env
from tests.portal.conftest import (
    BAD_PLACEMENTS,
    PARTNER_A,
    PARTNER_B,
    create_account,
    placements_csv,
    running_portal,
)


def _events(home, subject: str | None = None) -> list[dict]:
    trail = audit.read_trail(home)
    assert trail.intact, trail.problems
    return [r for r in trail.records if subject is None or r["subject"] == subject]


def _sdsf_audit(home, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SDSF), "audit", *args],
        cwd=REPO,
        env=pipeline_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_upload_is_audited_as_a_file_received_then_its_receipt(portal):
    client = portal.client(PARTNER_A)
    good = client.upload(placements_csv(tag=f"AUD{uuid.uuid4().hex[:6]}"), file_name="bon.csv")
    bad = client.upload(BAD_PLACEMENTS, file_name="faux.csv")
    accepted_id, rejected_id = (r.location.rsplit("/", 1)[1] for r in (good, bad))
    for sub_id, outcome in ((accepted_id, "receipt_accepted"), (rejected_id, "receipt_rejected")):
        # The last two: another test may have sent the same wrong file before.
        arrival, receipt = _events(portal.home, sub_id)[-2:]
        assert arrival["event"] == "file_received" and receipt["event"] == outcome
        assert arrival["seq"] < receipt["seq"]
        for event in (arrival, receipt):
            assert (event["who"], event["origin"], event["partner"]) == (
                PARTNER_A,
                "127.0.0.1",
                PARTNER_A,
            )
    arrival = _events(portal.home, accepted_id)[0]
    assert arrival["details"]["file_name"] == "bon.csv" and arrival["details"]["new"] is True
    rejected = _events(portal.home, rejected_id)[-1]
    assert rejected["details"]["errors"] >= 1 and rejected["details"]["kind"] == "placements"


def test_sign_ins_are_audited_with_the_login_and_the_address(portal):
    before = len(_events(portal.home))
    portal.client(PARTNER_B)  # signs in
    assert portal.client().sign_in(PARTNER_B, "pas-le-bon").status == 401
    new = _events(portal.home)[before:]
    succeeded = [r for r in new if r["event"] == "sign_in_succeeded"]
    failed = [r for r in new if r["event"] == "sign_in_failed"]
    assert [(r["who"], r["origin"], r["partner"]) for r in succeeded] == [
        (PARTNER_B, "127.0.0.1", PARTNER_B)
    ]
    assert [(r["who"], r["origin"], r["partner"]) for r in failed] == [
        (PARTNER_B, "127.0.0.1", PARTNER_B)
    ]
    assert "pas-le-bon" not in portal.log.read_text() + audit.audit_path(portal.home).read_text()


def test_the_action_form_is_audited_as_a_form_submission(portal):
    client = portal.client(PARTNER_A)
    tag = uuid.uuid4().hex[:8]
    response = client.post_form(
        "/suivi-des-actions",
        {
            "periode": "2017",
            "csrf": client.csrf("/suivi-des-actions?periode=2017"),
            "etat:LAN-4.1": "EN_COURS",
            "commentaire:LAN-4.1": f"audit {tag}",
        },
    )
    assert response.status == 303, response.text[:500]
    sub_id = response.location.rsplit("/", 1)[1]
    events = [r["event"] for r in _events(portal.home, sub_id)]
    assert events[:2] == ["action_form_submitted", "receipt_accepted"]


def test_account_creation_and_rotation_are_audited_with_the_os_user(portal):
    env = pipeline_env(portal.home)
    create_account(env, "create", "--partner", "auditeur_1", "--engineer")
    create_account(env, "rotate", "--partner", "auditeur_1")
    created, rotated = _events(portal.home, "auditeur_1")
    assert (created["event"], rotated["event"]) == ("account_created", "account_rotated")
    assert created["origin"] == rotated["origin"] == "cli"
    assert created["who"] and created["details"] == {"role": "reviewer"}  # the former engineer
    assert rotated["details"] == {"generation": 2}
    # The fixture's accounts, created by three processes at once, are all there.
    made = {r["subject"] for r in _events(portal.home) if r["event"] == "account_created"}
    assert {PARTNER_A, PARTNER_B, "auditeur_1"} <= made


def test_sdsf_audit_json_filters_by_partner_and_day(portal):
    portal.client(PARTNER_A).upload(placements_csv(tag=f"F{uuid.uuid4().hex[:6]}"))
    result = _sdsf_audit(portal.home, "--format", "json", "--partner", PARTNER_B)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert records and {r["partner"] for r in records} == {PARTNER_B}
    assert "file_received" not in {r["event"] for r in records}  # A's uploads are left out
    assert records[0]["event_label"] == "compte du portail créé"
    everything = json.loads(_sdsf_audit(portal.home, "--format", "json").stdout)
    assert len(everything) > len(records)
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    later = _sdsf_audit(portal.home, "--format", "json", "--since", tomorrow)
    assert json.loads(later.stdout) == []
    text = _sdsf_audit(portal.home, "--partner", PARTNER_A)
    assert "événement" in text.stdout and "accusé de réception : fichier accepté" in text.stdout
    wrong = _sdsf_audit(portal.home, "--since", "02/12/2026")
    assert wrong.returncode == 2 and "AAAA-MM-JJ" in wrong.stderr


# Small thresholds, on a portal of its own: the shared one must not get its address suspended.
LIMITS = {
    "SDSF_SIGNIN_SLOW_AFTER": "2",
    "SDSF_SIGNIN_DELAY": "0.4",
    "SDSF_SIGNIN_MAX_DELAY": "0.8",
    "SDSF_SIGNIN_REFUSE_AFTER": "4",
    "SDSF_SIGNIN_REFUSE_AFTER_ADDRESS": "7",
    "SDSF_SIGNIN_SUSPENSION": "120",
}


@pytest.fixture(scope="module")
def strict_portal(tmp_path_factory):
    home = tmp_path_factory.mktemp("strict-portal-home")
    env = {**pipeline_env(home), **LIMITS}
    accounts = {
        PARTNER_A: ["create", "--partner", PARTNER_A],
        PARTNER_B: ["create", "--partner", PARTNER_B],
    }
    with running_portal(home, env, accounts) as running:
        yield running


def test_failed_sign_ins_are_slowed_then_refused_and_audited(strict_portal):
    portal = strict_portal
    client = portal.client()
    answers = []
    for _ in range(4):
        started = time.monotonic()
        response = client.sign_in(PARTNER_A, "mauvais")
        answers.append((response.status, time.monotonic() - started))
    assert [status for status, _ in answers] == [401, 401, 401, 429]
    assert answers[2][1] >= 0.4 and answers[3][1] >= 0.8  # the third and fourth waited
    # Suspended: even the right secret is refused, in French, for a while.
    refused = client.sign_in(PARTNER_A, portal.secrets[PARTNER_A])
    assert refused.status == 429
    assert "suspendues pendant encore 2 minutes" in refused.text and "ce compte" in refused.text
    failed = [r for r in _events(portal.home, PARTNER_A) if r["event"] == "sign_in_failed"]
    assert [r["details"]["delayed_seconds"] for r in failed] == [0.0, 0.0, 0.4, 0.8]
    assert [r["details"]["suspended"] for r in failed] == [None, None, None, "login"]
    (refusal,) = [r for r in _events(portal.home, PARTNER_A) if r["event"] == "sign_in_refused"]
    assert refusal["details"]["scope"] == "login" and refusal["origin"] == "127.0.0.1"
    # Another account is not suspended, until its address has failed too often.
    assert portal.client().sign_in(PARTNER_B, portal.secrets[PARTNER_B]).status == 303
    for i in range(3):
        client.sign_in(f"inconnu_{i}", "mauvais")
    blocked = portal.client().sign_in(PARTNER_B, portal.secrets[PARTNER_B])
    assert blocked.status == 429 and "votre adresse" in blocked.text
    last = _events(portal.home)[-1]
    assert (last["event"], last["details"]["scope"], last["who"]) == (
        "sign_in_refused",
        "address",
        PARTNER_B,
    )
