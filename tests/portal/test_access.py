"""Who may read and write what: partners see only their own files; every POST needs the CSRF
token; engineers see everyone's status; rotating a secret ends the sessions opened with it."""

from __future__ import annotations

import subprocess

from tests.conftest import REPO, SDSF, pipeline_env
from tests.portal.conftest import ENGINEER, PARTNER_A, PARTNER_B, placements_csv, secret_from


def _submission_of(response) -> str:
    assert response.status == 303, response.text[:500]
    return response.location.rsplit("/", 1)[1]


def test_partner_b_gets_403_or_404_on_every_url_of_partner_a(portal):
    a, b = portal.client(PARTNER_A), portal.client(PARTNER_B)
    sub_a = _submission_of(a.upload(placements_csv(tag="ISOLATION"), file_name="a.csv"))
    urls_of_a = [
        f"/envois/{sub_a}",
        f"/envois/{sub_a}/accuse.txt",
        f"/envois/{sub_a}/accuse.json",
        f"/suivi/{PARTNER_A}",
        "/suivi",
    ]
    for url in urls_of_a:
        assert a.get(url).status in (200, 403)  # A reads its own receipt, not the engineers' pages
        refused = b.get(url)
        assert refused.status in (403, 404), (url, refused.status)
        assert sub_a not in refused.text and "a.csv" not in refused.text
    for url in urls_of_a[:3]:
        assert a.get(url).status == 200
    assert "Page introuvable" in b.get(urls_of_a[0]).text  # in French, and nothing more
    # B's own pages never mention A's submission.
    for url in ("/espace", "/historique"):
        page = b.get(url)
        assert page.status == 200 and sub_a not in page.text
    # Nor can a typed path reach outside the store.
    for url in (
        "/envois/..%2F..%2Fportal%2Faccounts",
        f"/envois/{sub_a.replace(PARTNER_A, PARTNER_B)}",
        "/modeles/..%2F..%2Fpartners.yaml",
    ):
        assert b.get(url).status == 404, url


def test_signed_out_visitors_are_sent_to_the_sign_in_page(portal):
    anonymous = portal.client()
    for url in ("/espace", "/historique", "/suivi", "/modeles/placements.csv"):
        response = anonymous.get(url)
        assert response.status == 303 and response.location.endswith("/connexion"), url
    before = portal.manifests()
    response = anonymous.upload(placements_csv(tag="ANON"), csrf=None)
    assert response.status == 303 and response.location.endswith("/connexion")
    assert portal.manifests() == before


def test_posts_without_the_session_csrf_token_are_refused_and_keep_nothing(portal):
    a = portal.client(PARTNER_A)
    before_manifests, before_files = portal.manifests(), portal.stored_files()
    assert a.upload(placements_csv(tag="CSRF1"), csrf=None).status == 403
    assert a.upload(placements_csv(tag="CSRF2"), csrf="forged-token").status == 403
    other = portal.client(PARTNER_B)
    assert a.upload(placements_csv(tag="CSRF3"), csrf=other.csrf("/espace")).status == 403
    assert portal.manifests() == before_manifests
    assert portal.stored_files() == before_files
    assert portal.scratch_files() == []
    # Sign-in and sign-out are POSTs too.
    fresh = portal.client()
    fresh.get("/connexion")
    response = fresh.post_form(
        "/connexion", {"identifiant": PARTNER_A, "mot_de_passe": portal.secrets[PARTNER_A]}
    )
    assert response.status == 403
    assert a.post_form("/deconnexion", {}).status == 403
    assert a.get("/espace").status == 200  # still signed in


def test_wrong_secrets_do_not_sign_in(portal):
    client = portal.client()
    response = client.sign_in(PARTNER_A, portal.secrets[PARTNER_B])
    assert response.status == 401
    assert "Identifiant ou mot de passe incorrect" in response.text
    assert client.get("/espace").status == 303


def test_engineer_sees_every_partner_status_and_receipts(portal):
    a = portal.client(PARTNER_A)
    sub_a = _submission_of(a.upload(placements_csv(tag="ENGINEER"), file_name="eng.csv"))
    engineer = portal.client(ENGINEER)
    overview = engineer.get("/suivi")
    assert overview.status == 200
    assert PARTNER_A in overview.text and PARTNER_B in overview.text
    assert "Caisse d&#39;allocations familiales des Landes" in overview.text
    status_a = engineer.get(f"/suivi/{PARTNER_A}")
    assert status_a.status == 200 and sub_a in status_a.text
    assert engineer.get(f"/envois/{sub_a}").status == 200
    assert engineer.get(f"/envois/{sub_a}/accuse.json").status == 200
    # Engineers read; they do not send files in a partner's name.
    token = engineer.csrf("/suivi")
    assert engineer.upload(placements_csv(tag="ENG-UPLOAD"), csrf=token).status == 403


def test_rotating_a_secret_ends_open_sessions_and_the_old_secret(portal):
    b = portal.client(PARTNER_B)
    assert b.get("/espace").status == 200
    result = subprocess.run(
        [str(SDSF), "portal-account", "rotate", "--partner", PARTNER_B],
        cwd=REPO,
        env=pipeline_env(portal.home),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    new_secret = secret_from(result.stdout)
    old_secret, portal.secrets[PARTNER_B] = portal.secrets[PARTNER_B], new_secret
    assert b.get("/espace").status == 303  # the session opened before the rotation is over
    assert portal.client().sign_in(PARTNER_B, old_secret).status == 401
    assert portal.client().sign_in(PARTNER_B, new_secret).status == 303
    stored = (portal.home / "portal" / "accounts.json").read_text()
    assert new_secret not in stored and old_secret not in stored
