"""Action reports end to end through intake: detected, judged against the shipped schemes,
loaded into raw.action_reports (a real DuckDB file), revised, and re-checked by their contract."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from orchestration import schemes as scheme_defs
from orchestration.defs.intake.checks import contract_checks
from orchestration.intake.action_reports import (
    action_references,
    action_references_from_warehouse,
)
from orchestration.intake.loading import raw_columns
from orchestration.intake.service import (
    detect_kind,
    process_submissions,
    processing_order,
    receive_file,
)
from orchestration.intake.store import SubmissionStore
from orchestration.intake.validation import ReferenceData
from orchestration.reference import partner_kinds
from orchestration.warehouse import replace_tables

HEADER = "periode;code_action;etat;part_realisee;code_jalon;date_jalon;commentaire\n"
# MSA Sud Aquitaine pilots MSA-1.1 (milestones due 11/2018, 01/2019, 30/04/2019) and MSA-2.1.
REPORT_2019 = (
    HEADER
    + "2019;MSA-1.1;REALISEE;100;MSA-1.1-J2;20/01/2019;Questionnaire diffusé à 1 200 familles\n"
    + "2019;MSA-1.1;REALISEE;100;MSA-1.1-J3;2019-05-02;\n"
    + "2019;MSA-2.1;EN_COURS;;;;\n"
)


@pytest.fixture(scope="module")
def shipped():
    measures, partners = scheme_defs.load_measures(), scheme_defs.load_partners()
    schemes = scheme_defs.load_schemes(measures=measures, partners=partners)
    return scheme_defs.scheme_tables(schemes, measures, partners), schemes


@pytest.fixture
def warehouse(tmp_path, shipped):
    """A warehouse holding the shipped schemes and registry, as the reference asset writes it."""
    tables, _ = shipped
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    replace_tables(con, tables, column_types=scheme_defs.TABLE_COLUMNS)
    yield con
    con.close()


def _store(home, text: str, partner: str = "MSA_SUD_AQUITAINE") -> str:
    data = text.encode("utf-8")
    sub, _ = SubmissionStore(home).put(data, partner=partner, kind=detect_kind(data), file_name="f")
    return sub.submission_id


def test_the_warehouse_knows_every_action_as_its_scheme_yaml_says(warehouse, shipped):
    _, schemes = shipped
    assert action_references_from_warehouse(warehouse) == action_references(schemes)
    charte = action_references(schemes)["MSA-1.1"]
    assert (charte.scheme_start, charte.scheme_end) == (date(2018, 9, 1), date(2022, 2, 28))


def test_an_action_report_is_detected_and_processed_after_the_other_kinds(tmp_path):
    assert detect_kind(REPORT_2019.encode()) == "action_reports"
    store = SubmissionStore(tmp_path)
    report, _ = store.put(REPORT_2019.encode(), partner="X", kind="action_reports", file_name="a")
    places, _ = store.put(b"periode;x\n2017;1\n", partner="X", kind="placements", file_name="p")
    assert sorted([report, places], key=processing_order) == [places, report]


def test_an_accepted_report_loads_typed_into_raw_action_reports_once(tmp_path, warehouse):
    home = tmp_path / "home"
    sid = _store(home, REPORT_2019)
    [outcome] = process_submissions(home, warehouse, [sid], today=date(2020, 3, 1))
    assert outcome.receipt.accepted, outcome.receipt.to_text()
    assert outcome.rows_loaded == 3
    described = warehouse.execute("describe raw.action_reports").fetchall()
    assert [(name, kind.lower()) for name, kind, *_ in described] == raw_columns("action_reports")
    assert [name for name, _ in raw_columns("action_reports")][4:11] == [
        "period",
        "action_code",
        "state",
        "share_done",
        "milestone_code",
        "milestone_date",
        "comment",
    ]
    rows = warehouse.execute(
        "select line, action_code, state, share_done, milestone_code, milestone_date, comment,"
        " period_year, partner_code from raw.action_reports order by line"
    ).fetchall()
    assert rows == [
        (2, "MSA-1.1", "REALISEE", 100.0, "MSA-1.1-J2", date(2019, 1, 20),
         "Questionnaire diffusé à 1 200 familles", 2019, "MSA_SUD_AQUITAINE"),
        (3, "MSA-1.1", "REALISEE", 100.0, "MSA-1.1-J3", date(2019, 5, 2), None, 2019,
         "MSA_SUD_AQUITAINE"),
        (4, "MSA-2.1", "EN_COURS", None, None, None, None, 2019, "MSA_SUD_AQUITAINE"),
    ]  # fmt: skip
    # Running again changes nothing; a revision of the same period is kept beside the first.
    assert process_submissions(home, warehouse, [sid]) == []
    revised = _store(
        home, REPORT_2019.replace("2019;MSA-2.1;EN_COURS;;", "2019;MSA-2.1;REALISEE;;")
    )
    [second] = process_submissions(home, warehouse, [revised], today=date(2020, 3, 1))
    assert second.receipt.accepted and second.rows_loaded == 3
    counts = warehouse.execute(
        "select submission_id, count(*) from raw.action_reports group by all order by all"
    ).fetchall()
    assert sorted(counts) == sorted([(sid, 3), (revised, 3)])


def test_a_report_on_another_pilots_action_loads_nothing_and_says_who_may(tmp_path, warehouse):
    home = tmp_path / "home"
    # CAF40 pilots actions, but not MSA-1.1 (MSA Sud Aquitaine, with the intercommunality).
    sid = _store(home, HEADER + "2019;MSA-1.1;EN_COURS;;;;\n", partner="CAF40")
    [outcome] = process_submissions(home, warehouse, [sid], today=date(2020, 3, 1))
    [error] = outcome.receipt.errors
    assert (error.line, error.column, error.value, error.rule) == (
        2,
        "code_action",
        "MSA-1.1",
        "action_not_yours",
    )
    assert "(CAF40)" in error.message
    assert "pilote (MSA_SUD_AQUITAINE) et ses partenaires (CC_LANDES_ARMAGNAC)" in error.message
    assert warehouse.execute("select count(*) from raw.action_reports").fetchone() == (0,)
    assert warehouse.execute("select status from raw.submissions").fetchall() == [("rejetee",)]


def test_receive_file_judges_the_sender_against_the_shipped_registry(tmp_path, shipped):
    _, schemes = shipped
    actions = action_references(schemes)
    reference = ReferenceData(
        action_codes=frozenset(actions), actions=actions, today=date(2020, 3, 1)
    )
    text = HEADER + "2017;LAN-3.4;EN_COURS;;;;Groupe de travail installé\n"
    mine = receive_file(
        tmp_path, text.encode(), partner="ETAT40", kind="action_reports", file_name="a.csv",
        reference=reference, rules=partner_kinds(),
    )  # fmt: skip
    assert mine.receipt.accepted, mine.receipt.to_text()
    other = receive_file(
        tmp_path, text.encode(), partner="DSDEN40", kind="action_reports", file_name="a.csv",
        reference=reference, rules=partner_kinds(),
    )  # fmt: skip
    assert [e.rule for e in other.receipt.errors] == ["action_not_yours"]
    # A partner that pilots no action is not registered for action reports at all.
    stranger = receive_file(
        tmp_path, text.encode(), partner="ASSO_PARENTS40", kind="action_reports",
        file_name="a.csv", reference=reference, rules=partner_kinds(),
    )  # fmt: skip
    assert [e.rule for e in stranger.receipt.errors] == ["kind_not_expected"]


def _action_reports_check():
    [check] = [c for c in contract_checks if "action_reports" in str(list(c.check_keys)[0])]
    return check


def test_the_contract_check_re_reads_loaded_reports_dates_included(tmp_path, warehouse):
    home = tmp_path / "home"
    sid = _store(home, REPORT_2019)
    process_submissions(home, warehouse, [sid], today=date(2020, 3, 1))
    resource = DuckDBResource(database=str(tmp_path / "warehouse.duckdb"))
    warehouse.close()  # one writer: the check opens its own connection
    result = _action_reports_check()(warehouse=resource)
    assert result.passed and result.metadata["rows_checked"].value == 3
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute(
            "update raw.action_reports set state = 'FINIE', share_done = 140 where line = 4"
        )
    result = _action_reports_check()(warehouse=resource)
    assert not result.passed
    table = result.metadata["failure_cases"].value
    assert "isin" in table and "in_range" in table
