"""Which year the site shows for a scheme: the two flags of the site's source query
reports/sources/sdsf/fct_scheme_progress.sql, the one home every page and the national index read.

Run on a small DuckDB file of our own, through DuckDB itself, as Evidence's source step runs it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.editions import SITE_MACROS
from orchestration.evidence_site import REPORTS_DIR

QUERY = (REPORTS_DIR / "sources" / "sdsf" / "fct_scheme_progress.sql").read_text()

# (scheme, year, actions with a progress): A has figures up to 2017 and none in 2018 (its
# partners' files are not in yet); B has none at all.
PROGRESS = [("A", 2016, 3), ("A", 2017, 2), ("A", 2018, 0), ("B", 2019, 0), ("B", 2020, 0)]


def _flags(tmp_path: Path, rows: list[tuple]) -> dict[tuple[str, int], tuple[bool, bool]]:
    db = tmp_path / "site.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table fct_scheme_progress (scheme_id varchar, year integer,"
            " actions_with_value integer, progress double, expected_progress double)"
        )
        con.execute(
            "create table fct_period_approvals (scheme_id varchar, year integer,"
            " figures_label varchar, is_approved boolean)"
        )
        if rows:
            con.executemany("insert into fct_scheme_progress values (?, ?, ?, 0.5, 0.6)", rows)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db}' as site")
        con.execute(SITE_MACROS)
        con.execute("use site")
        found = con.execute(
            f"select scheme_id, year, is_latest_with_figures, is_headline_year from ({QUERY})"
        ).fetchall()
    finally:
        con.close()
    return {(s, y): (latest, headline) for s, y, latest, headline in found}


def test_the_latest_year_with_figures_is_the_one_shown(tmp_path: Path) -> None:
    flags = _flags(tmp_path, PROGRESS)
    assert [k for k, (latest, _) in flags.items() if latest] == [("A", 2017)]
    # A's summary describes 2017, not 2018 which has nothing in yet.
    assert flags[("A", 2017)] == (True, True)
    assert flags[("A", 2018)] == (False, False)


def test_a_scheme_without_figures_shows_its_first_year_and_no_latest_year(tmp_path) -> None:
    flags = _flags(tmp_path, PROGRESS)
    assert flags[("B", 2019)] == (False, True)
    assert flags[("B", 2020)] == (False, False)


def test_an_empty_table_gives_one_row_of_nulls_every_page_filters_out(tmp_path) -> None:
    assert _flags(tmp_path, []) == {(None, None): (None, None)}
