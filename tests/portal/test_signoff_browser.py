"""The committee's approval in a real headless Chromium: it approves a period of its scheme and
reads « validé » with its name and the day; a partner has no such button and is refused the
page in French."""

from __future__ import annotations

from datetime import UTC, datetime

from orchestration.vocabulary import label
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.portal.conftest import CHARTE, COMMITTEE, PARTNER_A


def _sign_in(page, portal, login: str) -> None:
    page.goto(portal.url)
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(portal.secrets[login])
    page.get_by_role("button", name="Se connecter").click()


@needs_chromium
def test_the_committee_approves_a_period_and_a_partner_cannot(signoff_portal, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    portal = signoff_portal
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context().new_page()
            _sign_in(page, portal, COMMITTEE)
            expect(page.get_by_role("heading", name="Validation des périodes")).to_be_visible()
            row = page.locator(f'[id="periode-{CHARTE}-2019"]')
            expect(row).to_contain_text(label("approval_states", "not_reviewed"))
            row.get_by_label("Commentaire (facultatif)").fill("Validé en comité du 3 décembre")
            row.get_by_role("button", name="Approuver").click()

            row = page.locator(f'[id="periode-{CHARTE}-2019"]')
            expect(row.locator(".etat")).to_contain_text(label("approval_states", "approved"))
            expect(row).to_contain_text(f"par {COMMITTEE} le {datetime.now(UTC):%d/%m/%Y}")
            expect(row).to_contain_text("Validé en comité du 3 décembre")
            expect(row).to_contain_text("Fichiers manquants à la validation")
            expect(row).to_contain_text("UDAF40 beneficiaries 2019")
            expect(row.get_by_role("button", name="Approuver")).to_have_count(0)
            page.screenshot(path=str(tmp_path / "periodes.png"), full_page=True)

            partner = browser.new_context().new_page()
            _sign_in(partner, portal, PARTNER_A)
            expect(partner.get_by_role("heading", name="Ce qui est attendu")).to_be_visible()
            expect(partner.get_by_role("link", name="Validation des périodes")).to_have_count(0)
            expect(partner.get_by_role("button", name="Approuver")).to_have_count(0)
            response = partner.goto(portal.url + "/periodes")
            assert response.status == 403
            expect(partner.get_by_role("heading")).to_contain_text(
                "Accès refusé : un compte partenaire ne peut pas consulter la validation"
            )
        finally:
            browser.close()
