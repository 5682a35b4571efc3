"""A partner's visit in a real headless Chromium: sign in, read what is expected, download a
template, send a good and a bad file, read both receipts and download one."""

from __future__ import annotations

from pathlib import Path

from orchestration.intake.templates import TEMPLATES_DIR
from orchestration.vocabulary import label
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.portal.conftest import BAD_PLACEMENTS, PARTNER_A, open_action_form, placements_csv


@needs_chromium
def test_a_partner_signs_in_downloads_a_template_and_reads_both_receipts(portal, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    good = tmp_path / "places_2017.csv"
    good.write_bytes(placements_csv(rows=4, tag="BROWSER"))
    bad = tmp_path / "places_erreurs.csv"
    # Bytes of its own: the store keeps one copy of a content, under the first name it came with,
    # and other tests of this session's portal send BAD_PLACEMENTS too.
    bad.write_bytes(BAD_PLACEMENTS.replace(b"EAJE-X", b"EAJE-NAVIGATEUR"))
    foreign: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
        )
        try:
            page = browser.new_page()
            page.on(
                "request",
                lambda r: None if r.url.startswith(portal.url) else foreign.append(r.url),
            )
            page.goto(portal.url)
            expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
            page.get_by_label("Identifiant").fill(PARTNER_A)
            page.get_by_label("Mot de passe").fill(portal.secrets[PARTNER_A])
            page.get_by_role("button", name="Se connecter").click()

            expect(page.get_by_role("heading", name="Ce qui est attendu")).to_be_visible()
            expected = page.locator("table").first
            expect(expected).to_contain_text(label("submission_kinds", "attendance"))
            expect(expected).to_contain_text(f"un fichier par {label('granularities', 'quarter')}")

            with page.expect_download() as info:
                page.get_by_role("link", name=label("submission_kinds", "placements")).first.click()
            template = Path(info.value.path()).read_bytes()
            assert template == (TEMPLATES_DIR / "placements.csv").read_bytes()
            assert info.value.suggested_filename == "placements.csv"

            page.get_by_label("Type de fichier").select_option("placements")
            page.get_by_label("Fichier CSV").set_input_files(str(good))
            page.get_by_role("button", name="Envoyer").click()
            expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible()
            expect(page.locator("#resultat")).to_contain_text("ACCEPTÉ")
            expect(page.locator("#resultat")).to_contain_text("4 lignes lues")
            expect(page.locator(".fiche")).to_contain_text("places_2017.csv")

            page.goto(portal.url + "/espace")
            page.get_by_label("Type de fichier").select_option("placements")
            page.get_by_label("Fichier CSV").set_input_files(str(bad))
            page.get_by_role("button", name="Envoyer").click()
            expect(page.locator("#resultat")).to_contain_text("REFUSÉ")
            errors = page.locator("table.erreurs tbody tr")
            commune = errors.filter(has_text="code_commune")
            expect(commune).to_contain_text("99999")
            expect(commune).to_contain_text("Code commune inconnu")
            expect(commune.locator("td").first).to_have_text("2")
            expect(errors.filter(has_text="places")).to_contain_text("positive ou nulle")

            with page.expect_download() as info:
                page.get_by_role("link", name="texte (.txt)").click()
            text = Path(info.value.path()).read_text(encoding="utf-8")
            assert "Résultat : REFUSÉ" in text
            assert "ligne 2, colonne « code_commune », valeur « 99999 »" in text

            page.get_by_role("link", name="Historique des envois").click()
            history = page.locator("table").first
            expect(history).to_contain_text("places_2017.csv")
            expect(history).to_contain_text("places_erreurs.csv")
            expect(history).to_contain_text("en vigueur")
        finally:
            browser.close()
    assert foreign == []


@needs_chromium
def test_a_pilot_fills_the_action_report_form_and_reads_its_receipt(portal, tmp_path):
    """CAF40 pilots LAN-4.1 of the Landes scheme: it reports it done, with both milestones."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            page = browser.new_page()
            open_action_form(page, portal, PARTNER_A, "2018")

            action = page.locator('[id="action-LAN-4.1"]')
            expect(action).to_contain_text("vous pilotez cette action")
            action.get_by_label("État à la fin de 2018").select_option(
                label=label("action_states", "REALISEE")
            )
            action.get_by_label("Part réalisée en %").fill("100")
            action.get_by_label("Plan de communication du schéma adopté").fill("2016-12-12")
            action.get_by_label("Page d'information sur le schéma publiée").fill("2017-07-03")
            action.get_by_label("Commentaire").fill("Plan adopté ; pages publiées par tous.")
            action.scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "suivi_actions.png"))

            page.get_by_role("button", name="Envoyer le suivi 2018").click()
            expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible()
            expect(page.locator("#resultat")).to_contain_text("ACCEPTÉ")
            expect(page.locator("#resultat")).to_contain_text("2 lignes lues")
            expect(page.locator(".fiche")).to_contain_text("formulaire_suivi_actions_2018.csv")
        finally:
            browser.close()
