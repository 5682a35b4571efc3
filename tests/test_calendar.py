"""The submission calendar (orchestration/calendar.py): the cases table, and its building blocks.

The same cases (tests/calendar_cases.yaml) run against the warehouse in test_completeness.py
and against the portal in tests/portal/test_expectations.py.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from orchestration import calendar, vocabulary
from tests.calendar_cases import CASES, KIND, PARTNER


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_calendar_case(case):
    registry = [calendar.Expectation(PARTNER, KIND, case.cadence, case.deadline_days)]
    got = calendar.assess_registry(
        registry, {PARTNER: case.years}, {(PARTNER, KIND): case.calendar_files()}, case.today
    )
    assert {a.period.code: a.status for a in got} == case.expected
    assert {a.period.code for a in got if a.to_correct} == case.to_correct


def test_the_cases_use_every_status_and_cadence():
    assert {s for c in CASES for s in c.expected.values()} == set(
        vocabulary.codes("completeness_statuses")
    )
    assert {c.cadence for c in CASES} == set(vocabulary.codes("granularities"))


@pytest.mark.parametrize(
    ("text", "code", "period_type", "start", "end"),
    [
        ("2017", "2017", "year", date(2017, 1, 1), date(2017, 12, 31)),
        ("2017-T2", "2017-T2", "quarter", date(2017, 4, 1), date(2017, 6, 30)),
        ("2017-q4", "2017-T4", "quarter", date(2017, 10, 1), date(2017, 12, 31)),
        ("2016-2", "2016-02", "month", date(2016, 2, 1), date(2016, 2, 29)),
        ("03/2017", "2017-03", "month", date(2017, 3, 1), date(2017, 3, 31)),
        (" 2017-12 ", "2017-12", "month", date(2017, 12, 1), date(2017, 12, 31)),
    ],
)
def test_parse_period_reads_partners_spellings(text, code, period_type, start, end):
    p = calendar.parse_period(text)
    assert (p.code, p.period_type, p.year, p.start, p.end) == (
        code,
        period_type,
        start.year,
        start,
        end,
    )


@pytest.mark.parametrize("text", ["2017-13", "2017-T5", "17", "T2-2017", "", "2017-00"])
def test_parse_period_refuses_what_is_not_a_period(text):
    assert calendar.parse_period(text) is None


def test_periods_of_each_cadence_and_unknown_cadences():
    assert [p.code for p in calendar.periods_of("quarter", 2020)] == [
        "2020-T1", "2020-T2", "2020-T3", "2020-T4",
    ]  # fmt: skip
    assert len(calendar.periods_of("month", 2020)) == 12
    assert [p.code for p in calendar.periods_of("year", 2020)] == ["2020"]
    with pytest.raises(ValueError, match="unknown cadence 'quarterly'"):
        calendar.periods_of("quarterly", 2020)


def test_due_dates_follow_the_real_calendar():
    year_2027 = calendar.parse_period("2027")
    assert calendar.due_date(year_2027, 60) == date(2028, 2, 29)
    assert calendar.due_date(calendar.parse_period("2026"), 60) == date(2027, 3, 1)
    assert calendar.due_date(calendar.parse_period("2024-01"), 30) == date(2024, 3, 1)
    assert calendar.due_date(calendar.parse_period("2025-01"), 30) == date(2025, 3, 2)
    assert calendar.due_dates("year", 60, [2026, 2027]) == [date(2027, 3, 1), date(2028, 2, 29)]


def test_coverage_needs_every_month_from_periods_within():
    quarter = calendar.parse_period("2024-T2")
    assert calendar.covers(quarter, ["2024-04", "2024-05", "2024-06"])
    assert calendar.covers(quarter, ["2024-T2", "2024-T3"])  # the extra quarter is ignored
    assert not calendar.covers(quarter, ["2024"])  # longer than the quarter
    assert not calendar.covers(quarter, ["2024-04", "2024-06"])  # May missing
    assert not calendar.covers(calendar.parse_period("2024-05"), ["2024-T2"])
    pieces = ["2024-T1", "2024-T2", "2024-07", "2024-08", "2024-09", "2024-T4"]
    assert calendar.covers(calendar.parse_period("2024"), pieces)


def test_expected_periods_are_those_started_by_the_as_of_date():
    got = calendar.expected_periods("quarter", [2021, 2020, 2020], date(2021, 4, 1))
    assert [p.code for p in got] == [f"2020-T{q}" for q in range(1, 5)] + ["2021-T1", "2021-T2"]
    schemes = [("40", 2016, 2018), ("91", 2019, 2020), ("64", 2018, 2019)]
    assert calendar.scheme_years(["40", "64"], schemes) == {2016, 2017, 2018, 2019}


def test_action_reports_are_owed_for_the_schemes_whose_actions_the_partner_pilots():
    schemes = [
        ("40", 2016, 2018, ["CAF40", "ETAT40"]),
        ("40", 2018, 2022, ["MSA40", "CAF40"]),
        ("48", 2016, 2019, ["CAF48"]),
    ]
    kinds = ["beneficiaries", "action_reports"]
    msa = calendar.owed_years("MSA40", kinds, ["40", "64"], schemes)
    assert msa == {"beneficiaries": set(range(2016, 2023)), "action_reports": {*range(2018, 2023)}}
    assert calendar.owed_years("ETAT40", kinds, ["40"], schemes)["action_reports"] == {
        2016,
        2017,
        2018,
    }
    # A pilot of no action owes none, whatever its départements' schemes.
    assert calendar.owed_years("UDAF40", kinds, ["40"], schemes)["action_reports"] == set()
    registry = [calendar.Expectation("MSA40", kind, "year", 60) for kind in kinds]
    got = calendar.assess_registry(registry, {"MSA40": msa}, {}, date(2019, 6, 1))
    assert [(a.kind, a.period.code) for a in got] == [
        ("beneficiaries", "2016"),
        ("beneficiaries", "2017"),
        ("beneficiaries", "2018"),
        ("beneficiaries", "2019"),
        ("action_reports", "2018"),
        ("action_reports", "2019"),
    ]


def test_a_day_is_read_as_partners_write_it():
    assert calendar.parse_date("15/06/2019") == date(2019, 6, 15)
    assert calendar.parse_date(" 5/6/2019 ") == date(2019, 6, 5)
    assert calendar.parse_date("2019-06-15") == date(2019, 6, 15)
    for text in ("31/02/2019", "2019-6-15", "15/06/19", "0000-01-01", "2019-06", "hier"):
        assert calendar.parse_date(text) is None, text


def test_revisions_and_overdue_after_the_grace(monkeypatch):
    files = [
        calendar.File("a", datetime(2024, 2, 1, 9), True, ("2024-01",)),
        calendar.File("b", datetime(2024, 2, 2, 9), True, ("2024-01",)),  # a correction
        calendar.File("c", datetime(2024, 2, 3, 9), False, ("2024-01",)),  # refused, after
    ]
    a = calendar.assess(PARTNER, KIND, "month", 10, calendar.parse_period("2024-01"), files,
                        date(2024, 3, 1))  # fmt: skip
    assert (a.status, a.revisions, len(a.files), a.covered_by.submission_id) == (
        "on_time",
        1,
        3,
        "a",
    )
    assert not a.to_correct  # covered: the refused file needs nothing more
    missing = calendar.assess(PARTNER, KIND, "month", 10, calendar.parse_period("2024-02"),
                              files, date(2024, 3, 18))  # fmt: skip
    assert (missing.status, missing.days_late) == ("missing", 8)  # due 10 March
    assert missing.overdue(7) and not missing.overdue(8)
    assert missing.status_label == vocabulary.label("completeness_statuses", "missing")
    monkeypatch.setenv("SDSF_DEADLINE_GRACE_DAYS", "3")
    assert calendar.grace_days() == 3
    monkeypatch.delenv("SDSF_DEADLINE_GRACE_DAYS")
    assert calendar.grace_days() == calendar.DEFAULT_GRACE_DAYS == 7


def test_as_of_date_is_configured_else_the_environment_else_today(monkeypatch):
    monkeypatch.delenv("SDSF_AS_OF_DATE", raising=False)
    assert calendar.as_of_date() == date.today()
    monkeypatch.setenv("SDSF_AS_OF_DATE", "2020-01-15")
    assert calendar.as_of_date() == date(2020, 1, 15)
    assert calendar.as_of_date("2019-06-30") == date(2019, 6, 30)
