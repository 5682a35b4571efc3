"""Roles: what a partner, the data team (reviewer) and a committee account may do, in the
portal and with `sdsf review|approve|unlock --account`; accounts made as ``engineer`` are
reviewers."""

from __future__ import annotations

import json
import shutil

import pytest

from orchestration import audit, vocabulary
from orchestration.portal import roles
from orchestration.portal.accounts import AccountError, AccountStore
from tests.conftest import run_sdsf
from tests.portal.conftest import COMMITTEE, ENGINEER, ESSONNE, LANDES, PARTNER_A, REVIEWER

ACTOR = audit.Actor("test", "cli")


def _steps(home) -> list[dict]:
    path = home / "approvals" / "steps.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _trail(home) -> list[dict]:
    return audit.read_trail(home).records


def test_the_roles_and_what_each_may_do_come_from_the_vocabulary():
    assert vocabulary.codes("portal_roles") == roles.ROLES
    allowed = {role: {a for a in roles.ACTIONS if roles.may(role, a)} for role in roles.ROLES}
    assert allowed == {
        "partner": {"upload"},
        "reviewer": {"see_all_partners", "justify", "review", "unlock"},
        "committee": {"approve"},
    }
    assert roles.may("engineer", "review") and not roles.may("engineer", "approve")
    assert not roles.signs_off("partner") and roles.signs_off("committee")


def test_a_committee_is_refused_another_scheme_and_a_partner_every_step(tmp_path):
    store = AccountStore(tmp_path)
    store.create("comite", role="committee", schemes=(LANDES,))
    store.create(PARTNER_A, role="partner", partner=PARTNER_A)
    committee, partner = store.get("comite"), store.get(PARTNER_A)
    assert roles.refusal(committee, "approve", LANDES) is None
    other = roles.refusal(committee, "approve", ESSONNE)
    assert f"« {ESSONNE} »" in other and LANDES in other
    assert "comité de pilotage ne peut pas déverrouiller" in roles.refusal(committee, "unlock")
    assert "partenaire ne peut pas valider" in roles.refusal(partner, "approve", LANDES)
    with pytest.raises(roles.RoleRefused):
        roles.check(tmp_path, partner, "review", ACTOR, scheme=LANDES, subject=f"{LANDES} 2017")
    refused = _trail(tmp_path)[-1]
    assert refused["event"] == "access_refused" and refused["partner"] == PARTNER_A
    assert refused["details"]["action"] == "review" and refused["details"]["role"] == "partner"
    roles.check(tmp_path, committee, "approve", ACTOR, scheme=LANDES)  # allowed: nothing raised
    assert _trail(tmp_path)[-1] == refused


def test_a_committee_account_names_known_schemes_and_only_it_does(tmp_path):
    store = AccountStore(tmp_path)
    with pytest.raises(AccountError, match="scheme"):
        store.create("comite", role="committee")
    with pytest.raises(AccountError, match="only a committee"):
        store.create("relecture", role="reviewer", schemes=(LANDES,))
    home = tmp_path / "cli"
    without = run_sdsf(
        home, "portal-account", "create", "--login", "c1", "--role", "committee", check=False
    )
    assert without.returncode == 2 and "--scheme CODE" in without.stderr
    unknown = run_sdsf(
        home, "portal-account", "create", "--login", "c2", "--role", "committee",
        "--scheme", "inconnu", check=False,
    )  # fmt: skip
    assert unknown.returncode == 2 and "schéma inconnu : inconnu" in unknown.stderr
    bad_role = run_sdsf(
        home, "portal-account", "create", "--login", "x", "--role", "chef", check=False
    )
    assert bad_role.returncode == 2 and "rôle inconnu : chef" in bad_role.stderr
    assert not (home / "portal" / "accounts.json").exists()


def test_portal_account_creates_and_rotates_each_role(tmp_path):
    made = {
        PARTNER_A: ["--partner", PARTNER_A],
        REVIEWER: ["--login", REVIEWER, "--role", "reviewer"],
        COMMITTEE: ["--login", COMMITTEE, "--role", "committee", "--scheme", LANDES],
    }
    for login, args in made.items():
        created = run_sdsf(tmp_path, "portal-account", "create", *args)
        secret = created.stdout.strip().splitlines()[-1].rsplit(" : ", 1)[1]
        assert AccountStore(tmp_path).verify(login, secret) is not None
        rotated = run_sdsf(tmp_path, "portal-account", "rotate", "--login", login)
        new = rotated.stdout.strip().splitlines()[-1].rsplit(" : ", 1)[1]
        assert AccountStore(tmp_path).verify(login, secret) is None
        assert AccountStore(tmp_path).verify(login, new).generation == 2
    listing = run_sdsf(tmp_path, "portal-account", "list").stdout
    assert f"{COMMITTEE}\tcomité de pilotage ({LANDES})" in listing
    assert f"{REVIEWER}\téquipe données (relecteur)\t" in listing
    assert f"{PARTNER_A}\tpartenaire {PARTNER_A}\t" in listing
    committee = AccountStore(tmp_path).get(COMMITTEE)
    assert committee.role == "committee" and committee.schemes == (LANDES,)


def test_accounts_stored_as_engineer_are_read_and_rewritten_as_reviewers(tmp_path):
    store = AccountStore(tmp_path)
    secret = store.create("equipe", role="reviewer")
    # An accounts file as the portal wrote it before roles: the role was "engineer".
    doc = json.loads(store.path.read_text())
    doc["accounts"]["equipe"]["role"] = "engineer"
    del doc["accounts"]["equipe"]["schemes"]
    store.path.write_text(json.dumps(doc))
    account = store.verify("equipe", secret)
    assert account.role == "reviewer" and account.may("review") and account.schemes == ()
    store.rotate("equipe")
    assert json.loads(store.path.read_text())["accounts"]["equipe"]["role"] == "reviewer"


def test_cli_steps_with_an_account_are_checked_against_its_role(signoff_portal, tmp_path):
    home = tmp_path / "home"
    (home / "portal").mkdir(parents=True)
    shutil.copy(signoff_portal.home / "warehouse.duckdb", home / "warehouse.duckdb")
    shutil.copy(signoff_portal.home / "portal" / "accounts.json", home / "portal")

    def step(*args):
        return run_sdsf(home, *args, "--scheme", LANDES, "--period", "2017", check=False)

    partner = step("approve", "--account", PARTNER_A)
    assert partner.returncode == 1
    assert "un compte partenaire ne peut pas valider une période" in partner.stderr
    other = run_sdsf(
        home, "approve", "--scheme", ESSONNE, "--period", "2017", "--account", COMMITTEE,
        check=False,
    )  # fmt: skip
    assert other.returncode == 1 and f"« {ESSONNE} »" in other.stderr
    assert step("review", "--account", COMMITTEE).returncode == 1
    assert step("approve", "--account", "personne").returncode == 1
    assert _steps(home) == []
    refused = [r for r in _trail(home) if r["event"] == "access_refused"]
    assert [r["who"] for r in refused] == [PARTNER_A, COMMITTEE, COMMITTEE, "personne"]

    assert step("review", "--account", REVIEWER).returncode == 0
    approved = step("approve", "--account", COMMITTEE, "--comment", "vu en comité")
    assert approved.returncode == 0, approved.stderr
    assert f"validé (par {COMMITTEE}" in approved.stdout
    assert step("unlock", "--account", ENGINEER, "--reason", "fichier corrigé").returncode == 0
    assert [(s["step"], s["who"]) for s in _steps(home)] == [
        ("review", REVIEWER),
        ("approve", COMMITTEE),
        ("unlock", ENGINEER),
    ]
    both = step("approve", "--account", COMMITTEE, "--as", "Comité")
    assert both.returncode == 2  # one signer: the account or a name, not both
