"""A pilot's report from the browser to the published site: CAF40 signs in to the portal, reports
its action LAN-4.1 done through the form, the pipeline runs (`sdsf run`, site included) and the
action's page of the rebuilt site shows the new state, the comment and both milestones reached,
one of them late. Real portal, real intake, Dagster, dbt, DuckDB and Evidence, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.site_paths import scheme_path
from orchestration.vocabulary import label
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    needs_chromium,
    pipeline_env,
    run_sdsf,
    serve_directory,
)
from tests.portal.conftest import PARTNER_A, Portal, open_action_form, running_portal

LANDES = "landes-2016-2018"
ACTION = "LAN-4.1"
COMMENT = "Plan adopté ; pages publiées par tous les signataires."


@pytest.fixture(scope="module")
def round_trip_portal(tmp_path_factory) -> Iterator[Portal]:
    """A portal of its own: this module runs the pipeline over the portal's data directory."""
    home = tmp_path_factory.mktemp("round-trip-home")
    pilot = {PARTNER_A: ["create", "--partner", PARTNER_A]}
    with running_portal(home, pipeline_env(home), pilot) as portal:
        yield portal


def _browser(playwright, profile: Path):
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1200, "height": 1000},
    )


@needs_chromium
def test_a_report_sent_from_the_form_reads_on_the_rebuilt_site(round_trip_portal, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    portal = round_trip_portal
    with sync_playwright() as playwright:
        browser = _browser(playwright, tmp_path / "portal-profile")
        try:
            page = browser.new_page()
            open_action_form(page, portal, PARTNER_A, "2018")
            action = page.locator(f'[id="action-{ACTION}"]')
            action.get_by_label("État à la fin de 2018").select_option(
                label=label("action_states", "REALISEE")
            )
            action.get_by_label("Part réalisée en %").fill("100")
            action.get_by_label("Plan de communication du schéma adopté").fill("2016-12-12")
            action.get_by_label("Page d'information sur le schéma publiée").fill("2017-07-03")
            action.get_by_label("Commentaire").fill(COMMENT)
            page.get_by_role("button", name="Envoyer le suivi 2018").click()
            expect(page.locator("#resultat")).to_contain_text("ACCEPTÉ")
        finally:
            browser.close()

    # What a data engineer's scheduled refresh does with what arrived.
    run_sdsf(portal.home, "run")
    site = portal.home / "site"
    assert (site / "index.html").exists()

    errors: list[str] = []
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = _browser(playwright, tmp_path / "site-profile")
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(
                f"{base}{scheme_path('40', LANDES)}actions/{ACTION}/", wait_until="networkidle"
            )
            state = page.get_by_text("État :", exact=False).first
            expect(state).to_contain_text(label("action_states", "REALISEE"))
            expect(state).to_contain_text("déclaré par")
            quote = page.locator("blockquote")
            expect(quote).to_have_text(COMMENT)
            # Both milestones on the timeline (a diamond due, a dot reached, for each) and in the
            # table: the first reached on time, the second three days after its due date.
            frise = page.locator("figure.frise")
            expect(frise.locator(".frise-jalon")).to_have_count(4)
            expect(frise.locator('[data-statut="met_late"]')).to_have_count(2)
            table = page.get_by_test_id("DataTable-jalons")
            expect(table).to_contain_text(label("milestone_statuses", "met_on_time"))
            expect(table).to_contain_text(label("milestone_statuses", "met_late"))
            late = table.get_by_role("row").filter(has_text="LAN-4.1-J2")
            expect(late.get_by_role("cell")).to_have_text(
                [re.compile("LAN-4.1-J2"), re.compile("Page d'information"), "30/06/2017",
                 "03/07/2017", label("milestone_statuses", "met_late"), "3", "oui"]
            )  # fmt: skip
            page.screenshot(path=str(tmp_path / "action_apres_suivi.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
