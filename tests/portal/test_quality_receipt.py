"""The portal's receipt page shows a quality warning's previous value and its justification."""

from __future__ import annotations

import duckdb

from orchestration.intake.justifications import justify
from tests.conftest import pipeline_env
from tests.intake.test_quality import _jumping
from tests.portal.conftest import PARTNER_A, running_portal


def test_the_receipt_page_shows_the_previous_value_and_the_justification(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    con = duckdb.connect(str(tmp_path / "quality.duckdb"))
    outcome = _jumping(home, con)
    con.close()
    sid = outcome.submission.submission_id
    accounts = {PARTNER_A: ["create", "--partner", PARTNER_A]}
    with running_portal(home, pipeline_env(home), accounts) as portal:
        page = portal.client(PARTNER_A).request(f"/envois/{sid}")
        assert page.status == 200
        assert "valeur précédente : <code>24</code>, 2016" in page.text
        assert "à examiner" in page.text
        justify(home, f"{sid}:2:saut_places", "Extension de la crèche")
        page = portal.client(PARTNER_A).request(f"/envois/{sid}")
        assert "justifié par" in page.text and "Extension de la crèche" in page.text
