"""The Evidence site builds strictly from an edition and shows its figures in a real browser.

The site is built from the demo pipeline's data: a named edition ``cdsf-2018`` is frozen, one
published figure is then corrected (as a partner's revised file would), and the rolling edition
the site reads is made from that, so the site has revisions to show. Expected figures are read
from the edition's Parquet files with DuckDB, independently of Evidence, and formatted the French
way the pages print them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from orchestration import site_slices, vocabulary
from orchestration.editions import ROLLING_EDITION, create_edition, site_database
from orchestration.evidence_site import REPORTS_DIR
from orchestration.site_paths import scheme_path, slice_home
from tests.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    copy_demo_publication,
    needs_chromium,
    serve_directory,
)

TESTS_DIR = Path(__file__).resolve().parent
SCREENSHOT = TESTS_DIR / "artifacts" / "home.png"
SIGNOFF_SCREENSHOT = TESTS_DIR / "artifacts" / "scheme-signoff.png"
LANDES = "landes-2016-2018"
LANDES_HOME = slice_home("40")  # the Landes' slice of the site
LANDES_PAGE = scheme_path("40", LANDES)
COVERAGE = "TX_COUV_GLOBAL"
REVISED_YEAR = 2017
REVISION = 1.5  # points added to the Landes coverage rate of 2017 after the first edition
# The demo's pilots' stories (orchestration/demo): an action abandoned with its last milestone
# never reached, and a Landes milestone reached late.
ABANDONED = ("48", "lozere-2016-2019", "LOZ-1.3")
LATE_MILESTONE = "LAN-4.2-J2"
# A comment with markup and a formula, as a partner's file could carry if the contract let one
# through: the site must print it as text.
MARKUP_ACTION = ("91", "essonne-2016-2019", "ESS-3.2")
MARKUP_COMMENT = "Comité <b>reporté</b> <img src=x> =SOMME(A1)"
CRAWL_TABS = 4  # pages the every-page crawl loads at once
_OWN_LINKS = "links => links.filter(a => a.host === location.host).map(a => a.pathname)"


def french(value: float, digits: int = 1) -> str:
    """A number the way the pages print it: fixed decimals, decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


# --------------------------------------------------------------------------- building the site


@pytest.fixture(scope="module")
def edition(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rolling edition, one figure revised since the named edition ``cdsf-2018``."""
    home = tmp_path_factory.mktemp("site-home")
    publication = copy_demo_publication(demo_home, home)
    create_edition("cdsf-2018", home=home)
    with duckdb.connect(str(publication)) as con:
        changed = con.execute(
            "update fct_indicator_values set value = value + ? "
            "where scheme_id = ? and indicator_code = ? and territory_level = 'departement' "
            "and period = ? returning value",
            [REVISION, LANDES, COVERAGE, str(REVISED_YEAR)],
        ).fetchall()
    assert len(changed) == 1
    with duckdb.connect(str(publication)) as con:
        marked = con.execute(
            "update fct_action_reports set comment = ? "
            "where scheme_id = ? and action_code = ? and is_latest returning comment",
            [MARKUP_COMMENT, *MARKUP_ACTION[1:]],
        ).fetchall()
    assert len(marked) == 1
    return create_edition(ROLLING_EDITION, home=home, rolling=True)


@pytest.fixture(scope="module")
def site(edition: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return site_slices.build(
        site_database(edition), tmp_path_factory.mktemp("site") / "site"
    ).out_dir


@pytest.fixture(scope="module")
def marts(edition: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The edition's frozen marts as DuckDB views (what the site must show)."""
    con = duckdb.connect()
    for parquet in sorted((edition / "marts").glob("*.parquet")):
        con.execute(f"create view {parquet.stem} as from '{parquet}'")
    con.execute(f"create view revisions as from '{edition / 'revisions.parquet'}'")
    yield con
    con.close()


# --------------------------------------------------------------------------- the build itself


def _pages(site: Path) -> list[str]:
    """Every page of the built site as a URL path ("/", "/40/qualite", "/40/schemas/x")."""
    paths = []
    for index in sorted(site.rglob("*.html")):
        relative = index.relative_to(site).as_posix()
        if {"_app", "api"} & set(index.relative_to(site).parts):
            continue
        if relative == "index.html":
            paths.append("/")
        elif relative.endswith("/index.html"):
            paths.append("/" + relative[: -len("/index.html")])
        else:
            paths.append("/" + relative[: -len(".html")])
    return paths


def test_the_build_writes_a_page_per_scheme_axis_action_and_indicator(site, marts) -> None:
    pages = set(_pages(site))
    assert "/" in pages  # the national index
    departements = {
        d for (d,) in marts.execute("select departement_code from dim_schemes").fetchall()
    }
    for departement in departements:
        home = slice_home(departement).rstrip("/")
        assert {home, f"{home}/schemas", f"{home}/qualite", f"{home}/methode"} <= pages
    pages_of = {
        scheme: scheme_path(departement, scheme).rstrip("/")
        for scheme, departement in marts.execute(
            "select scheme_id, departement_code from dim_schemes"
        ).fetchall()
    }
    expected = set()
    for page in pages_of.values():
        expected |= {page, f"{page}/territoires"}
    for scheme, axis in marts.execute("select scheme_id, axis_code from dim_axes").fetchall():
        expected.add(f"{pages_of[scheme]}/axes/{axis}")
    for scheme, action in marts.execute(
        "select scheme_id, action_code from dim_actions"
    ).fetchall():
        expected.add(f"{pages_of[scheme]}/actions/{action}")
    for scheme, code in marts.execute(
        "select scheme_id, indicator_code from dim_indicators"
    ).fetchall():
        expected.add(f"{pages_of[scheme]}/indicateurs/{code}")
    assert expected <= pages, sorted(expected - pages)[:10]
    # A slice has the pages of its own schemes only.
    assert not any(p.startswith(slice_home("48")) and LANDES in p for p in pages)
    # Every address of a slice is the app's page under the slice's base, rendered in the
    # browser (the tests below read what it shows).
    home = (site / LANDES_HOME.strip("/") / "index.html").read_bytes()
    assert (site / LANDES_PAGE.strip("/") / "index.html").read_bytes() == home
    assert f'base: "{LANDES_HOME.rstrip("/")}"'.encode() in home
    assert b"__sdsf_slice_base__" not in home
    # Every page says it is French and names its browser tab.
    for page in site.rglob("*.html"):
        if page.relative_to(site).parts[0] not in {"_app", "api"}:
            text = page.read_text(encoding="utf-8")
            assert '<html lang="fr">' in text, page
            assert "<title>Evidence</title>" not in text, page


# --------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve_directory(site) as url:
        yield url


class Browser:
    """Debian's Chromium through playwright, recording console errors and foreign requests."""

    def __init__(self, context, base: str) -> None:
        self.context = context
        self.base = base
        self.problems: list[str] = []
        self.foreign: list[str] = []

    def open(self, path: str):
        page = self.watched_page(path)
        page.goto(self.base + path, wait_until="networkidle")
        self.rendered(page)
        page.wait_for_timeout(300)  # let the last chart paint
        return page

    @staticmethod
    def rendered(page) -> None:
        """Wait for the page's title: its queries run in the browser after the network went
        quiet (a long page renders seconds later); a page that never shows one is left to
        the caller's checks."""
        with contextlib.suppress(PlaywrightTimeout):
            page.locator("h1").first.wait_for(state="visible", timeout=20_000)

    def open_together(self, paths: list[str]) -> list:
        """Pages loading side by side: each one's wait for the network to go quiet overlaps
        the others' rendering, which a page-by-page crawl spends idle."""
        pages = [self.watched_page(path) for path in paths]
        for page, path in zip(pages, paths, strict=True):
            page.goto(self.base + path, wait_until="commit")
        for page in pages:
            page.wait_for_load_state("networkidle")
            self.rendered(page)
        pages[-1].wait_for_timeout(300)
        return pages

    def watched_page(self, path: str):
        """A new tab whose console errors, page errors and foreign requests are recorded."""
        page = self.context.new_page()
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"{path}: console: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.problems.append(f"{path}: page error: {exc}"))
        page.on(
            "request",
            lambda req: None if req.url.startswith(self.base) else self.foreign.append(req.url),
        )
        return page


@pytest.fixture(scope="module")
def browser(served: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield Browser(context, served)
        finally:
            context.close()


@needs_chromium
def test_every_page_loads_in_chromium_without_errors(site: Path, browser: Browser) -> None:
    pages = _pages(site)
    assert len(pages) > 50
    empty, broken_links = [], set()
    for start in range(0, len(pages), CRAWL_TABS):
        batch = pages[start : start + CRAWL_TABS]
        for path, page in zip(batch, browser.open_together(batch), strict=True):
            text = page.inner_text("article") if page.locator("article").count() else ""
            # A field a page names but its query does not select prints « undefined ».
            if not page.locator("h1").first.is_visible() or "Error" in text or "undefined" in text:
                empty.append(path)
            # Pages render in the browser, so no build follows their links: every link to
            # another page of the site must reach one of the addresses written.
            for href in page.eval_on_selector_all("a[href]", _OWN_LINKS):
                target = href.rstrip("/") or "/"
                if not target.startswith(("/_app", "/carte")) and target not in pages:
                    broken_links.add(f"{path} -> {href}")
            page.close()
    assert browser.problems == []
    assert browser.foreign == []
    assert empty == []
    assert sorted(broken_links) == []


@needs_chromium
def test_home_shows_progress_per_axis_the_furthest_behind_and_freshness(
    browser: Browser, marts
) -> None:
    from playwright.sync_api import expect

    year, progress, expected_progress = marts.execute(
        "select year, progress, expected_progress from fct_scheme_progress "
        "where scheme_id = ? and actions_with_value > 0 order by year desc limit 1",
        [LANDES],
    ).fetchone()
    axis_progress = marts.execute(
        "select progress from fct_axis_progress where scheme_id = ? and axis_code = 'LAN-1' "
        "and year = ?",
        [LANDES, year],
    ).fetchone()[0]
    behind = marts.execute(
        "select i.label from fct_indicator_values v join dim_indicators i "
        "using (scheme_id, indicator_code) where v.scheme_id = ? and v.year = ? "
        "and v.territory_level = 'departement' and v.status = 'behind' "
        "order by v.expected_progress - v.progress desc limit 1",
        [LANDES, year],
    ).fetchone()[0]
    titles = [
        r[0]
        for r in marts.execute(
            "select title from dim_schemes where departement_code = '40'"
        ).fetchall()
    ]
    assert len(titles) == 2  # the Landes' scheme and charte: the Landes' slice shows both

    page = browser.open(LANDES_HOME)
    landes = "Schéma départemental des services aux familles des Landes 2016-2018"
    for title in titles:
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    headline = f"En {year}, avancement du schéma : {percent(progress)}"
    expect(page.get_by_text(headline)).to_be_visible()
    (figures,) = marts.execute(
        "select figures_label from fct_period_approvals where scheme_id = ? and year = ?",
        [LANDES, year],
    ).fetchone()
    assert f"Chiffres de {year} : {figures}." in page.inner_text("article")
    assert f"attendu à cette date : {percent(expected_progress)}" in page.inner_text("article")
    expect(page.get_by_role("cell", name=percent(axis_progress)).first).to_be_visible()
    expect(page.get_by_role("link", name=behind).first).to_be_visible()
    expect(page.get_by_text("comparée à l'édition cdsf-2018 (1 chiffre révisé)")).to_be_visible()
    assert page.locator("canvas").count() >= 1

    # The selector narrows the page to one scheme.
    page.get_by_label("Schéma affiché").select_option(label=landes)
    expect(page.get_by_role("heading", name=landes, exact=True)).to_be_visible()
    for title in titles:
        if title != landes:
            expect(page.get_by_role("heading", name=title, exact=True)).to_have_count(0)
    page.get_by_label("Schéma affiché").select_option(value="")
    # The sidebar names the pages as they are written (Evidence would capitalise every word).
    sidebar = page.locator("aside").inner_text()
    assert [line.strip() for line in sidebar.splitlines() if line.strip()] == [
        "Accueil",
        "Schémas",
        "Qualité des données",
        "Méthode",
    ]

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()
    assert browser.problems == []


@needs_chromium
def test_indicator_page_shows_trajectory_territories_and_the_revised_value(
    browser: Browser, marts
) -> None:
    from playwright.sync_api import expect

    by_year = marts.execute(
        "select year, value from fct_indicator_values where scheme_id = ? and indicator_code = ? "
        "and territory_level = 'departement' and period_type = 'year' order by year",
        [LANDES, COVERAGE],
    ).fetchall()
    epci_name, epci_value = marts.execute(
        "select territory_name, value from fct_indicator_values where scheme_id = ? "
        "and indicator_code = ? and territory_level = 'epci' and value is not null "
        "order by year desc, value desc limit 1",
        [LANDES, COVERAGE],
    ).fetchone()
    commune, commune_code, commune_value = marts.execute(
        "select territory_name, territory_code, value from fct_indicator_values "
        "where scheme_id = ? "
        "and indicator_code = ? and territory_level = 'commune' and value is not null "
        "and year = (select max(year) from fct_indicator_values where scheme_id = ? "
        "and indicator_code = ? and territory_level = 'commune') "
        "order by territory_name limit 1",
        [LANDES, COVERAGE, LANDES, COVERAGE],
    ).fetchone()

    baseline, baseline_year, final, final_year = marts.execute(
        "select baseline_value, baseline_year, final_target_value, final_target_year "
        "from dim_indicators where scheme_id = ? and indicator_code = ?",
        [LANDES, COVERAGE],
    ).fetchone()

    page = browser.open(f"{LANDES_PAGE}indicateurs/{COVERAGE}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Taux de couverture global")
    summary = page.get_by_text("Unité : %").first
    expect(summary).to_contain_text(f"valeur de référence {french(baseline)} en {baseline_year}")
    expect(summary).to_contain_text(f"cible finale {french(final)} en {final_year}")
    for year, value in by_year:
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(year)))
        expect(row.first).to_contain_text(french(value))
    revised = dict(by_year)[REVISED_YEAR]
    assert french(revised) != french(revised - REVISION)
    expect(
        page.get_by_role("heading", name="Chiffres révisés depuis l'édition cdsf-2018")
    ).to_be_visible()
    revision = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name="Landes", exact=True)
    )
    expect(revision.filter(has_text=str(REVISED_YEAR)).first).to_contain_text(
        french(revised - REVISION)
    )
    expect(page.locator("canvas").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=epci_name).first).to_contain_text(
        french(epci_value)
    )

    # The French search box narrows the communes' table.
    page.get_by_label("Rechercher une commune").fill(commune)
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=commune_code))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(french(commune_value))
    page.get_by_label("Rechercher une commune").fill("zzz introuvable")
    expect(page.get_by_text("Aucune commune ne correspond")).to_be_visible()
    page.close()
    assert browser.problems == []


@needs_chromium
def test_hidden_cells_read_secret_statistique_and_show_no_value(
    browser: Browser, marts, demo_home: Path
) -> None:
    from playwright.sync_api import expect

    hidden = marts.execute(
        "select v.indicator_code, v.territory_name, v.territory_code, v.year "
        "from fct_indicator_values v where v.scheme_id = ? and v.territory_level = 'commune' "
        "and v.secret_value and v.period_type = 'year' "
        "and v.year = (select max(year) from fct_indicator_values w where w.scheme_id = "
        "v.scheme_id and w.indicator_code = v.indicator_code and w.territory_level = 'commune') "
        "order by v.indicator_code, v.territory_code limit 1",
        [LANDES],
    ).fetchone()
    assert hidden is not None, "the demo has no hidden commune cell"
    code, name, commune, year = hidden
    # The value the warehouse holds, which must not reach the reader.
    with duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True) as con:
        true_value, unit = con.execute(
            "select v.value, i.unit from marts.fct_indicator_values v "
            "join marts.dim_indicators i using (scheme_id, indicator_code) "
            "where v.scheme_id = ? and v.indicator_code = ? and v.territory_code = ? "
            "and v.period = ?",
            [LANDES, code, commune, str(year)],
        ).fetchone()

    page = browser.open(f"{LANDES_PAGE}indicateurs/{code}")
    page.get_by_label("Rechercher une commune").fill(commune)
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=commune, exact=True))
    expect(row).to_have_count(1)
    cells = [c.strip() for c in row.get_by_role("cell").all_inner_texts()]
    # rank, name, code, year, figures (validé / provisoire), value, priority, status
    assert cells[1:3] == [name, commune]
    assert cells[5] == "secret statistique"
    assert true_value is not None
    digits = 1 if unit == "%" or unit.startswith("pour ") else 0
    assert french(true_value, digits) not in cells
    page.close()


@needs_chromium
def test_territories_page_shows_inequality_epci_side_by_side_and_priorities(
    browser: Browser, marts
) -> None:
    from playwright.sync_api import expect

    label, ratio, year = marts.execute(
        "select i.label, t.fifth_ratio, t.year from fct_territorial_inequality t "
        "join dim_indicators i using (scheme_id, indicator_code) where t.scheme_id = ? "
        "and t.indicator_code = ? and t.territory_level = 'epci' and t.period_type = 'year' "
        "order by t.year desc limit 1",
        [LANDES, COVERAGE],
    ).fetchone()
    priorities = marts.execute(
        "select count(*) from dim_priority_territories where scheme_id = ? and is_priority",
        [LANDES],
    ).fetchone()[0]
    epci = [
        r[0]
        for r in marts.execute(
            "select territory_name from dim_territories where scheme_id = ? "
            "and territory_level = 'epci'",
            [LANDES],
        ).fetchall()
    ]

    page = browser.open(f"{LANDES_PAGE}territoires")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=label, exact=True))
    expect(row.first).to_contain_text(str(year))
    expect(row.first).to_contain_text(f"{ratio:.2f}".replace(".", ","))
    expect(page.get_by_text(f"{priorities} territoires prioritaires")).to_be_visible()
    # Side by side: every EPCI is a line, with a column per indicator.
    header = page.get_by_role("columnheader", name=re.compile(re.escape(label)))
    expect(header.first).to_be_visible()
    for name in epci[:3]:
        expect(page.get_by_role("cell", name=name, exact=True).first).to_be_visible()
    page.close()
    assert browser.problems == []


@needs_chromium
def test_quality_page_shows_timeliness_completeness_and_revisions(browser, marts) -> None:
    from playwright.sync_api import expect

    old, new = marts.execute(
        "select old_value, new_value from revisions where scheme_id = ? and indicator_code = ?",
        [LANDES, COVERAGE],
    ).fetchone()
    expected, on_time, late, missing = marts.execute(
        "select periods_expected, periods_on_time, periods_late, periods_missing "
        "from fct_submission_timeliness "
        "where partner_code = 'CAF40' and submission_kind = 'attendance'"
    ).fetchone()

    page = browser.open(f"{LANDES_HOME}qualite")
    for status in vocabulary.entries("completeness_statuses"):
        expect(page.locator("article")).to_contain_text(f"« {status.label} » : {status.definition}")
    revision = page.get_by_role("row").filter(has_text="Taux de couverture global")
    expect(revision.first).to_contain_text(french(old))
    expect(revision.first).to_contain_text(french(new))
    expect(revision.first).to_contain_text("+" + french(REVISION))
    caf = page.get_by_role("row").filter(has_text="Caisse d'allocations familiales des Landes")
    heures = caf.filter(has_text=vocabulary.label("submission_kinds", "attendance")).first
    expect(heures).to_contain_text(f"un fichier par {vocabulary.label('granularities', 'quarter')}")
    cells = [c.strip() for c in heures.inner_text().split("\t")]
    assert [str(expected), str(on_time), str(late), str(missing)] == cells[3:7]
    page.get_by_label("Rechercher").first.fill("CAF40 2016-T1")
    expect(page.get_by_role("row").filter(has_text="2016-T1").first).to_be_visible()
    # The demo's planted jump: its warning names the value and the previous one.
    value, previous = marts.execute(
        "select value, previous_value from fct_quality_warnings where rule_code = 'saut_places'"
    ).fetchone()
    jump = page.get_by_role("row").filter(has_text="EAJE-40192-01").first
    expect(jump).to_contain_text(f"Places {value} contre {previous} en 2021")
    page.close()
    assert browser.problems == []


@needs_chromium
def test_method_page_gives_every_indicator_its_definition_formula_and_source(
    browser: Browser, marts
) -> None:
    # Each département's slice has its own method page, with its schemes' indicators.
    for (departement,) in marts.execute(
        "select distinct departement_code from dim_schemes order by 1"
    ).fetchall():
        page = browser.open(f"{slice_home(departement)}methode")
        text = page.inner_text("article")
        rows = marts.execute(
            "select label, formula_text, source_text from dim_indicators "
            "join dim_schemes using (scheme_id) where departement_code = ? order by all",
            [departement],
        ).fetchall()
        assert rows
        for label, formula, source in rows:
            assert label in text
            assert formula in text
            assert source in text
        page.close()
    # The rest of the method is the same on every slice's page: the last one read.
    assert "secret statistique" in text
    # How an action without indicators is followed: every term from the vocabulary.
    for name in ("progress_bases", "action_states", "milestone_statuses"):
        for entry in vocabulary.entries(name):
            assert f"« {entry.label} » : {entry.definition}" in text, entry.code
    for name, code in [
        ("progress_statuses", "abandoned"),
        ("progress_statuses", "missing_data"),
        ("action_states", "REALISEE"),
    ]:
        assert f"« {vocabulary.label(name, code)} »" in text
    assert browser.problems == []


@needs_chromium
def test_axis_and_action_pages_show_their_progress_and_link_their_indicators(
    browser: Browser, marts
) -> None:
    from playwright.sync_api import expect

    year, axis_progress = marts.execute(
        "select year, progress from fct_axis_progress where scheme_id = ? and axis_code = 'LAN-1' "
        "and progress is not null order by year desc limit 1",
        [LANDES],
    ).fetchone()
    action_progress = marts.execute(
        "select progress from fct_action_progress where scheme_id = ? "
        "and action_code = 'LAN-1.2' and year = ?",
        [LANDES, year],
    ).fetchone()[0]

    page = browser.open(f"{LANDES_PAGE}axes/LAN-1")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(year), exact=True))
    expect(row.first).to_contain_text(percent(axis_progress))
    action = "Augmenter l'offre de service dans les territoires prioritaires"
    page.get_by_role("link", name=action).click()
    page.wait_for_url(re.compile(rf"/schemas/{LANDES}/actions/LAN-1\.2/?$"))
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=str(year), exact=True))
    expect(row.first).to_contain_text(percent(action_progress))
    indicator = page.get_by_role("link", name=re.compile("Taux de couverture global"))
    expect(indicator.first).to_be_visible()
    page.close()
    assert browser.problems == []


def _due(due, precision: str) -> str:
    """A milestone's due date the way the pages print it (a month, or a day)."""
    return due.strftime("%m/%Y" if precision == "month" else "%d/%m/%Y")


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@needs_chromium
def test_action_page_shows_its_basis_latest_report_milestones_and_years(
    browser: Browser, marts
) -> None:
    from playwright.sync_api import expect

    departement, scheme, action = ABANDONED
    where = "where scheme_id = ? and action_code = ?"
    state, state_label, share, comment, received = marts.execute(
        f"select state, state_label, share_done, comment, received_at from fct_action_reports "
        f"{where} and is_latest",
        [scheme, action],
    ).fetchone()
    assert state == "ABANDONNEE", "the demo's story changed"
    assert state_label == vocabulary.label("action_states", "ABANDONNEE")
    milestones = marts.execute(
        f"select milestone_code, status, status_label, due_date, due_precision, reached_date, "
        f"days_late from fct_action_milestones {where} order by milestone_position",
        [scheme, action],
    ).fetchall()
    assert "overdue" in [m[1] for m in milestones]
    years = marts.execute(
        f"select year, basis, basis_label, progress, status_label, milestones_reached, "
        f"milestones_due, milestones_expected from fct_action_progress "
        f"{where} order by year",
        [scheme, action],
    ).fetchall()
    assert {y[1] for y in years} == {"milestones"}

    page = browser.open(f"{scheme_path(departement, scheme)}actions/{action}")
    article = page.locator("article")
    expect(article).to_contain_text(f"Suivi : {vocabulary.label('progress_bases', 'milestones')}")
    shown_share = percent(share / 100)
    expect(article).to_contain_text(f"État : {state_label} ; part réalisée : {shown_share}")
    expect(article).to_contain_text(f"fichier reçu le {received:%d/%m/%Y}")
    expect(page.locator("blockquote")).to_have_text(comment)
    for code, _, status_label, due, precision, reached, late in milestones:
        # the table of reports received names the milestones too: the milestones' row has the status
        row = (
            page.get_by_role("row")
            .filter(has=page.get_by_role("cell", name=code, exact=True))
            .filter(has=page.get_by_role("cell", name=status_label, exact=True))
        )
        expect(row).to_have_count(1)
        expect(row).to_contain_text(status_label)
        expect(row).to_contain_text(_due(due, precision))
        if reached is not None:
            expect(row).to_contain_text(f"{reached:%d/%m/%Y}")
        if late is not None:
            expect(row.get_by_role("cell", name=_count(late), exact=True)).to_have_count(1)
    for year, _, basis_label, progress, status_label, reached, due, expected in years:
        row = (
            page.get_by_role("row")
            .filter(has=page.get_by_role("cell", name=str(year), exact=True))
            .filter(has=page.get_by_role("cell", name=status_label, exact=True))
        )
        expect(row).to_have_count(1)
        expect(row).to_contain_text(basis_label)
        expect(row).to_contain_text(percent(progress))
        # year, figures (validé / provisoire), basis, progress, expected progress, status,
        # milestones reached, milestones due
        cells = [c.strip() for c in row.get_by_role("cell").all_inner_texts()]
        assert cells[6:8] == [f"{reached} / {expected}", f"{due} / {expected}"], cells
    assert years[-1][4] == vocabulary.label("progress_statuses", "abandoned")
    page.close()
    assert browser.problems == []


@needs_chromium
def test_a_comment_with_markup_is_shown_as_text(browser: Browser) -> None:
    from playwright.sync_api import expect

    departement, scheme, action = MARKUP_ACTION
    page = browser.open(f"{scheme_path(departement, scheme)}actions/{action}")
    quote = page.locator("blockquote")
    expect(quote).to_have_text(MARKUP_COMMENT)
    assert quote.locator("b, img").count() == 0
    page.close()
    assert browser.problems == []


@needs_chromium
def test_scheme_page_counts_actions_by_state_and_lists_late_milestones(
    browser: Browser, marts
) -> None:
    from playwright.sync_api import expect

    late = marts.execute(
        "select milestone_code, action_code, status, status_label, days_late "
        "from fct_action_milestones where scheme_id = ? and status in ('met_late', 'overdue') "
        "order by due_date",
        [LANDES],
    ).fetchall()
    assert (LATE_MILESTONE, "met_late") in [(m[0], m[2]) for m in late]
    by_state = marts.execute(
        "select r.state, count(*), string_agg(a.action_code, ', ' order by a.action_code) "
        "from dim_actions a join fct_action_reports r using (scheme_id, action_code) "
        "where a.scheme_id = ? and r.is_latest group by r.state",
        [LANDES],
    ).fetchall()
    assert by_state

    page = browser.open(LANDES_PAGE)
    for state, n, codes in by_state:
        row = (
            page.get_by_role("row")
            .filter(
                has=page.get_by_role(
                    "cell", name=vocabulary.label("action_states", state), exact=True
                )
            )
            .filter(has=page.get_by_role("cell", name=str(n), exact=True))
        )
        expect(row).to_have_count(1)
        expect(row).to_contain_text(codes)
    for code, action, _, status_label, days_late in late:
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=code, exact=True))
        expect(row).to_have_count(1)
        expect(row).to_contain_text(status_label)
        expect(row).to_contain_text(_count(days_late))
        link = row.get_by_role("link", name=action, exact=True)
        expect(link).to_have_attribute("href", re.compile(rf"/actions/{re.escape(action)}/?$"))
    met_late = vocabulary.label("milestone_statuses", "met_late")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name=LATE_MILESTONE, exact=True)
    )
    expect(row).to_contain_text(met_late)
    action = next(m[1] for m in late if m[0] == LATE_MILESTONE)
    row.get_by_role("link", name=action, exact=True).click()
    page.wait_for_url(re.compile(rf"/schemas/{LANDES}/actions/{re.escape(action)}/?$"))
    milestone = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name=LATE_MILESTONE, exact=True)
    )
    expect(milestone).to_contain_text(met_late)
    page.close()
    assert browser.problems == []


def test_open_sdg_grading_is_on_indicator_action_axis_scheme_and_method_pages(browser, marts):
    def page(path: str) -> str:
        shown = browser.open(f"/{path.strip('/')}/")
        text = shown.inner_text("body")
        shown.close()
        return text

    def fr(score: float) -> str:
        return f"{score:.1f}".replace(".", ",")

    scheme, code, label, score = marts.execute(
        "select scheme_id, indicator_code, grading_status_label, score "
        "from fct_indicator_grading where territory_level in ('departement', 'perimetre') "
        "and score is not null order by all limit 1"
    ).fetchone()
    (departement,) = marts.execute(
        "select departement_code from dim_schemes where scheme_id = ?", [scheme]
    ).fetchone()
    text = page(f"{scheme_path(departement, scheme).strip('/')}/indicateurs/{code}")
    assert "Lecture Open SDG" in text and label in text and fr(score) in text
    for level, path in [("action", "actions/{}"), ("axis", "axes/{}"), ("scheme", "")]:
        code, label, score = marts.execute(
            "select rollup_code, grading_status_label, score from fct_grading_rollups "
            "where scheme_id = ? and rollup_level = ? and score is not null order by all limit 1",
            [scheme, level],
        ).fetchone()
        text = page(f"{scheme_path(departement, scheme).strip('/')}/{path.format(code)}")
        assert "note moyenne" in text and label in text and fr(score) in text, level
    method = page(f"{slice_home(departement).strip('/')}/methode")
    assert "Seconde lecture : la méthode Open SDG" in method
    for entry in vocabulary.entries("grading_statuses"):
        assert entry.label in method, entry.code


# --------------------------------------------------------------------------- maps

MAP_SCREENSHOT = TESTS_DIR / "artifacts" / "carte-indicateur.png"


def _map_rows(edition: Path, source: str, where: str, params: list) -> list[tuple]:
    """Rows of a map's source query (reports/sources/sdsf/<source>.sql) run on the edition."""
    sql = (REPORTS_DIR / "sources" / "sdsf" / f"{source}.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(site_database(edition)), read_only=True) as con:
        return con.execute(f"select * from ({sql}) where {where}", params).fetchall()


def test_map_classes_come_from_published_values_only(edition: Path, marts) -> None:
    """A hidden cell gets no class and reads « secret statistique »; no class label is drawn
    from a hidden value (the labels are the extremes of the published values of the class)."""
    secret = vocabulary.label("progress_statuses", "secret")
    rows = _map_rows(
        edition,
        "carte_valeurs",
        "territory_level = 'commune' and classe = 0",
        [],
    )
    assert rows, "the demo has no hidden commune cell on a map"
    hidden = marts.execute(
        "select scheme_id, indicator_code, territory_code, cast(year as varchar) "
        "from fct_indicator_values where secret_value and territory_level = 'commune' "
        "and period_type = 'year'"
    ).fetchall()
    with duckdb.connect(str(site_database(edition)), read_only=True) as con:
        sql = (REPORTS_DIR / "sources" / "sdsf" / "carte_valeurs.sql").read_text("utf-8")
        shown = con.execute(
            f"select scheme_id, indicator_code, territory_code, annee, classe, value_fr, "
            f"classe_label from ({sql}) where territory_level = 'commune'"
        ).fetchall()
    by_key = {r[:4]: r[4:] for r in shown}
    hidden_on_maps = [by_key[k] for k in hidden if k in by_key]
    assert hidden_on_maps
    assert all(r == (0, secret, secret) for r in hidden_on_maps)


@needs_chromium
def test_indicator_page_draws_its_maps_offline(browser: Browser, edition: Path) -> None:
    from playwright.sync_api import expect

    page = browser.open(f"{LANDES_PAGE}indicateurs/{COVERAGE}")
    maps = page.locator("figure.carte")
    expect(maps).to_have_count(2)  # by EPCI, by commune
    outlined = False
    for position, level in enumerate(["epci", "commune"]):
        rows = _map_rows(
            edition,
            "carte_valeurs",
            "scheme_id = ? and indicator_code = ? and territory_level = ?",
            [LANDES, COVERAGE, level],
        )
        priority = sum(1 for r in rows if r[6])
        outlined = outlined or priority > 0
        shown = maps.nth(position)
        paths = shown.locator(".leaflet-overlay-pane path")
        expect(paths.first).to_be_visible()
        # One filled shape per territory, plus the outline of each priority territory.
        assert paths.count() == len(rows) + priority, level
        caption = shown.locator("figcaption")
        expect(caption).to_contain_text("du schéma sont dessiné")
        if priority:
            expect(caption).to_contain_text("territoire prioritaire")
        expect(shown).to_contain_text("IGN – Admin Express COG 2018, via france-geojson")
    assert outlined, "the demo's Landes scheme has no priority territory on its maps"
    MAP_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    maps.nth(1).scroll_into_view_if_needed()
    maps.nth(1).screenshot(path=str(MAP_SCREENSHOT))
    page.close()
    assert browser.problems == []
    assert browser.foreign == []


@needs_chromium
def test_territories_page_maps_the_gap_to_the_scheme_value(browser: Browser, edition) -> None:
    from playwright.sync_api import expect

    page = browser.open(f"{LANDES_PAGE}territoires")
    maps = page.locator("figure.carte")
    expect(maps.first.locator(".leaflet-overlay-pane path").first).to_be_visible()
    expect(maps.first.locator("figcaption")).to_contain_text("valeur du schéma")
    # Another rate redraws the maps.
    select = page.get_by_label("Indicateur de la carte")
    options = select.locator("option").all_inner_texts()
    assert len(options) > 1
    select.select_option(label=options[1])
    expect(
        page.locator("figure.carte").first.locator(".leaflet-overlay-pane path").first
    ).to_be_visible()
    page.close()
    assert browser.problems == []
    assert browser.foreign == []


@needs_chromium
def test_scheme_page_marks_unapproved_years_provisional_and_names_the_approvers(
    browser: Browser, marts
) -> None:
    """The demo approves one Landes year (sources/demo/signoff.yaml): the banner lists it with
    who approved it and when, and every other year as provisional; the year-by-year table
    marks each year's figures with the mart's label (the vocabulary's)."""
    from playwright.sync_api import expect

    years = marts.execute(
        "select cast(year as varchar), is_approved, figures_label, approval_state_label, "
        "approved_by, strftime(approved_at, '%d/%m/%Y') from fct_period_approvals "
        "where scheme_id = ? order by year",
        [LANDES],
    ).fetchall()
    approved = [y for y in years if y[1]]
    provisional = [y for y in years if not y[1]]
    assert approved and provisional  # the demo's sign-off reached the edition
    assert {y[2] for y in approved} == {vocabulary.label("approval_states", "approved")}
    assert {y[2] for y in provisional} == {vocabulary.label("approval_states", "not_reviewed")}
    shown = {
        r[0]
        for r in marts.execute(
            "select cast(year as varchar) from fct_scheme_progress where scheme_id = ?", [LANDES]
        ).fetchall()
    }

    page = browser.open(LANDES_PAGE)
    banner = page.locator("[data-validation]")
    expect(banner).to_be_visible()
    validated = banner.locator("li[data-figures=approved]")
    for year, _, label, _, who, day in approved:
        expect(validated).to_contain_text(label)
        expect(validated).to_contain_text(f"{year} (par {who} le {day}")
    pending = banner.locator("li[data-figures=provisional]")
    expect(pending).to_contain_text(provisional[0][2])
    for year, *_ in provisional:
        expect(pending).to_contain_text(year)
    for year, _, label, *_ in years:
        if year not in shown:
            continue
        row = (
            page.get_by_role("row")
            .filter(has=page.get_by_role("cell", name=year, exact=True))
            .filter(has=page.get_by_role("cell", name=label, exact=True))
        )
        expect(row.first).to_be_visible()
    SIGNOFF_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SIGNOFF_SCREENSHOT), full_page=True)

    method = browser.open(f"{LANDES_HOME}methode")
    expect(method.get_by_role("heading", name="Validation des chiffres")).to_be_visible()
    text = method.inner_text("article")
    for code in vocabulary.codes("approval_states"):
        assert f"« {vocabulary.label('approval_states', code)} »" in text
    page.close()
    method.close()
    assert browser.problems == []
