"""What a partner owes, from the registry and the store's manifests (pure functions)."""

from __future__ import annotations

from datetime import date

from orchestration.portal.expectations import partner_expectations, reporting_periods
from orchestration.schemes import load_partners


def _manifest(sub_id, kind, status, received, periods=()):
    return {
        "submission_id": sub_id,
        "partner": "CAF40",
        "kind": kind,
        "status": status,
        "received_at": f"{received}T10:00:00.000000+00:00",
        "periods": list(periods),
    }


def test_reporting_periods_are_the_latest_ended_ones_of_each_cadence():
    today = date(2026, 2, 10)
    assert [p.code for p in reporting_periods("annual", today)] == ["2025", "2024"]
    assert [p.code for p in reporting_periods("quarterly", today)] == ["2025-T4", "2025-T3"]
    assert [p.code for p in reporting_periods("monthly", today, 3)] == [
        "2026-01",
        "2025-12",
        "2025-11",
    ]


def test_each_kind_and_period_is_on_time_late_refused_or_missing():
    caf40 = load_partners()["CAF40"]
    manifests = [
        # placements 2025: accepted before the deadline (31 March 2026)
        _manifest("p25", "placements", "acceptee", "2026-03-01", ["2025"]),
        # placements 2024: accepted after its deadline (31 March 2025)
        _manifest("p24", "placements", "acceptee", "2025-06-01", ["2024"]),
        # attendance: only a refused file, sent after 2026-T1 ended
        _manifest("a-bad", "attendance", "rejetee", "2026-04-20"),
        # another partner's file never counts
        {**_manifest("x", "beneficiaries", "acceptee", "2026-01-05", ["2025"]), "partner": "CD40"},
    ]
    got = {
        (e.kind, e.period): e
        for e in partner_expectations(caf40, manifests, today=date(2026, 5, 20))
    }
    assert set(got) == {
        ("placements", "2025"),
        ("placements", "2024"),
        ("attendance", "2026-T1"),
        ("attendance", "2025-T4"),
        ("beneficiaries", "2025"),
        ("beneficiaries", "2024"),
    }
    assert got["placements", "2025"].status == "a_jour"
    assert got["placements", "2025"].deadline == date(2026, 3, 31)
    assert got["placements", "2024"].status == "accepte_en_retard"
    assert got["placements", "2024"].late and got["placements", "2024"].accepted
    # 2026-T1 is due 15 May 2026 (45 days): refused and now late
    assert got["attendance", "2026-T1"].status == "refuse_en_retard"
    assert got["attendance", "2026-T1"].last_submission == "a-bad"
    assert got["attendance", "2026-T1"].received == 1
    assert got["beneficiaries", "2025"].status == "en_retard"
    assert got["beneficiaries", "2025"].missing


def test_a_period_not_yet_due_is_expected_not_late():
    caf40 = load_partners()["CAF40"]
    got = {(e.kind, e.period): e for e in partner_expectations(caf40, [], today=date(2026, 1, 10))}
    assert got["placements", "2025"].status == "attendu"
    assert not got["placements", "2025"].late
    assert got["attendance", "2025-T4"].status == "attendu"  # due 14 February 2026
    assert got["attendance", "2025-T3"].status == "en_retard"  # due 14 November 2025
