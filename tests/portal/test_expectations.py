"""What a partner owes, from the submission calendar on the store's manifests (no warehouse).

The calendar cases (tests/calendar_cases.yaml) run here through the portal's own function, on
manifests as the store writes them, so the portal reads what the mart and `sdsf status` read.
"""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.portal.expectations import partner_expectations, partner_years
from orchestration.schemes import Partner, Submission, load_partners, load_schemes
from orchestration.vocabulary import label
from tests.calendar_cases import CASES, DEPARTEMENT, KIND, PARTNER


def _partner(case) -> Partner:
    return Partner(
        code=PARTNER,
        name="Partenaire",
        type="caf",
        departements=[DEPARTEMENT],
        submissions=[Submission(kind=KIND, cadence=case.cadence, deadline_days=case.deadline_days)],
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_calendar_case_in_the_portal(case):
    other = {**case.manifests()[0], "partner": "AUTRE"} if case.files else None
    manifests = case.manifests() + ([other] if other else [])  # another partner never counts
    got = partner_expectations(_partner(case), manifests, case.years, today=case.today)
    assert {e.period.code: e.status for e in got} == case.expected
    assert {e.period.code for e in got if e.to_correct} == case.to_correct


def _manifest(sub_id, kind, status, received, periods=()):
    return {
        "submission_id": sub_id,
        "partner": "CAF40",
        "kind": kind,
        "status": status,
        "received_at": f"{received}T10:00:00.000000+00:00",
        "periods": list(periods),
    }


def test_caf40_owes_the_periods_of_its_schemes_latest_first():
    partners = load_partners()
    caf40 = partners["CAF40"]
    years = partner_years(caf40, load_schemes(partners=partners))
    # The Landes schemes: 2016-2018 and 2018-2022; CAF40 pilots actions of both.
    assert years == {kind: set(range(2016, 2023)) for kind in years}
    assert set(years) == {"placements", "attendance", "beneficiaries", "action_reports"}
    got = partner_expectations(caf40, [], years, today=date(2026, 12, 1))
    placements = [e.period.code for e in got if e.kind == "placements"]
    assert placements == [str(y) for y in range(2022, 2015, -1)]
    attendance = [e.period.code for e in got if e.kind == "attendance"]
    assert attendance[:2] == ["2022-T4", "2022-T3"] and len(attendance) == 28
    assert {e.status for e in got} == {"missing"}


def test_refused_files_are_a_fact_beside_the_status_and_deadlines_are_listed():
    caf40 = load_partners()["CAF40"]
    manifests = [
        _manifest("p21", "placements", "acceptee", "2022-03-01", ["2021"]),
        _manifest("p22-bad", "placements", "rejetee", "2023-02-01"),  # no readable period
        _manifest("a-bad", "attendance", "rejetee", "2022-05-02", ["2022-T1"]),
        _manifest("a-ok", "attendance", "acceptee", "2022-05-20", ["2022-T1"]),
    ]
    got = {
        (e.kind, e.period.code): e
        for e in partner_expectations(caf40, manifests, [2021, 2022], today=date(2023, 3, 15))
    }
    assert got["placements", "2021"].status == "on_time"
    assert got["placements", "2021"].deadline == date(2022, 3, 31)
    assert not got["placements", "2021"].to_correct  # accepted: the refusal changes nothing
    pending = got["placements", "2022"]
    assert (pending.status, pending.deadline, pending.to_correct) == (
        "pending", date(2023, 3, 31), True,
    )  # fmt: skip
    assert [f.submission_id for f in pending.refused] == ["p22-bad"]
    corrected = got["attendance", "2022-T1"]  # refused on time, corrected after 15 May
    assert (corrected.status, corrected.days_late, corrected.to_correct) == ("late", 5, False)
    assert [f.submission_id for f in corrected.files] == ["a-bad", "a-ok"]
    assert corrected.last_submission == "a-ok" and pending.last_submission == "p22-bad"
    assert got["attendance", "2022-T4"].last_submission is None
    assert got["attendance", "2022-T4"].status == "missing"
    assert got["attendance", "2022-T4"].status_label == label("completeness_statuses", "missing")
