"""The demo's files, before any pipeline: every scheme filled, every file valid but one, and the
receipts story the submission calendar reads from their days."""

from __future__ import annotations

from collections import Counter

import pytest

from orchestration import calendar, schemes
from orchestration.demo import DEMO_DIR, departement_specs, generate_demo
from orchestration.demo.dialects import load_dialects
from orchestration.intake.validation import validate_bytes
from orchestration.portal.expectations import partner_expectations, partner_years
from orchestration.reference import reference_for_validation


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


@pytest.fixture(scope="module")
def story():
    """(partner, kind, period) -> the exception of the receipts story that names it."""
    told = {}
    for spec in departement_specs():
        for kind, entries in spec.get("receipts", {}).items():
            for e in entries:
                told[(e["partner"], e["kind"], str(e["period"]))] = (kind, e)
    return told


@pytest.fixture(scope="module")
def assessments(demo):
    """Every expected period of every partner, judged on the demo's files as the portal does."""
    manifests = [
        {
            "submission_id": f"{f.partner}-{f.kind}-{i}",
            "partner": f.partner,
            "kind": f.kind,
            "received_at": f.received_at.isoformat(),
            "status": "rejetee" if f.version == "faulty" else "acceptee",
            "periods": [f.period],
        }
        for i, f in enumerate(demo)
    ]
    partners = schemes.load_partners()
    loaded = schemes.load_schemes(partners=partners)
    return [
        a
        for p in partners.values()
        for a in partner_expectations(p, manifests, partner_years(p, loaded))
    ]


def test_the_same_specs_give_the_same_bytes_and_days(demo):
    again = generate_demo()
    assert [(f.partner, f.name, f.data, f.received_at) for f in again] == [
        (f.partner, f.name, f.data, f.received_at) for f in demo
    ]


def test_every_partner_owing_files_sends_every_kind_it_owes(demo):
    partners = schemes.load_partners()
    loaded = schemes.load_schemes(partners=partners)
    owed = {
        (code, line.kind)
        for code, p in partners.items()
        if any(partner_years(p, loaded).values())
        for line in p.submissions
    }
    assert {(f.partner, f.kind) for f in demo} == owed
    assert {code[-2:] for code, _ in owed if code[-2:].isdigit()} == {"40", "48", "91"}


def test_each_partner_writes_in_its_dialect(demo):
    dialects = load_dialects(DEMO_DIR / "dialects.yaml")
    for spec in departement_specs():
        for partner, name in spec["partners"].items():
            dialect = dialects[name]
            for f in (f for f in demo if f.partner == partner):
                header = f.data.decode(dialect.encoding).splitlines()[0]
                assert dialect.delimiter in header, (partner, f.name)
    caf91 = next(f for f in demo if f.partner == "CAF91" and f.kind == "attendance")
    assert "\n03/2016;" in caf91.data.decode("utf-8") or "\n01/2016;" in caf91.data.decode()


def test_every_file_is_accepted_but_the_faulty_one(demo):
    reference = reference_for_validation()
    refused = []
    for f in demo:
        receipt = validate_bytes(f.data, f.kind, reference=reference, file_name=f.name).receipt
        if not receipt.accepted:
            refused.append((f.partner, f.name, [e.rule for e in receipt.errors]))
        assert not receipt.warnings, (f.partner, f.name, receipt.warnings)
    faulty = [(f.partner, f.name) for f in demo if f.version == "faulty"]
    assert len(faulty) == 1
    assert refused == [(*faulty[0], ["within_total"])]


def test_the_receipts_story_is_what_the_calendar_reads(assessments, story):
    by_key = {(a.partner, a.kind, a.period.code): a for a in assessments}
    statuses = Counter(a.status for a in assessments)
    # Most files on time, a few late, exactly one missing, nothing pending in the past.
    assert statuses[calendar.ON_TIME] > 0.9 * len(assessments)
    assert statuses[calendar.MISSING] == 1
    assert 3 <= statuses[calendar.LATE] <= 12
    for key, (kind, entry) in story.items():
        a = by_key[key]
        if kind == "missing":
            assert a.status == calendar.MISSING and not a.files, key
        elif kind == "late":
            assert (a.status, a.days_late) == (calendar.LATE, entry["days"]), key
        elif kind == "rejected":
            # Refused before its due date, corrected after it: late by the correction's days.
            assert (a.status, a.days_late) == (calendar.LATE, entry["corrected"]), key
            assert [f.accepted for f in a.files] == [False, True]
        elif kind == "revised":
            assert a.status == calendar.ON_TIME and a.revisions == 1, key
    untold = [a for key, a in by_key.items() if key not in story]
    assert all(a.status == calendar.ON_TIME for a in untold)


def test_files_arrive_after_their_period_and_before_the_last_due_date(demo):
    for f in demo:
        period = calendar.parse_period(f.period)
        assert f.received_at.date() > period.end, (f.partner, f.name)


def test_no_two_partners_report_the_same_beneficiaries_key(demo):
    """The contract check reads every partner's current rows together (its unique key)."""
    from tests.test_pipeline import _rows

    senders: dict[tuple, set[str]] = {}
    for f in (f for f in demo if f.kind == "beneficiaries"):
        for r in _rows(f.data):
            key = (r["periode"], r["code_action"], r["code_territoire"], r["public"])
            senders.setdefault(key, set()).add(f.partner)
    assert [k for k, who in senders.items() if len(who) > 1] == []
