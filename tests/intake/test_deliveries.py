"""Deliveries: the files stored together make one, and no file is ever in two."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orchestration.intake.deliveries import deliver, deliveries, delivery_of, files_of
from orchestration.intake.store import SubmissionStore

PLACEMENTS = "periode;code_structure;type_structure;code_commune;places;enfants_accueillis\n"


def _store(home, partner: str, line: str) -> str:
    sub, _ = SubmissionStore(home).put(
        (PLACEMENTS + line + "\n").encode(), partner=partner, kind="placements", file_name="p.csv"
    )
    return sub.submission_id


def test_files_stored_together_are_one_delivery_and_later_files_the_next(tmp_path):
    assert deliver(tmp_path) is None, "nothing stored: no delivery"
    first = [
        _store(tmp_path, "CAF40", "2018;EAJE-1;EAJE_COLLECTIF;40192;12;14"),
        _store(tmp_path, "CAF48", "2018;EAJE-2;EAJE_COLLECTIF;48095;10;11"),
    ]
    morning = deliver(tmp_path, now=datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    assert files_of(tmp_path, [morning]) == first
    assert deliver(tmp_path) is None, "every stored file is delivered already"

    later = _store(tmp_path, "CAF40", "2019;EAJE-1;EAJE_COLLECTIF;40192;12;15")
    evening = deliver(tmp_path, now=datetime(2026, 12, 4, 18, 0, tzinfo=UTC))
    assert list(deliveries(tmp_path)) == [morning, evening], "keys sort as deliveries came"
    assert files_of(tmp_path, [evening]) == [later]
    assert files_of(tmp_path, [morning, evening]) == [*first, later]
    assert delivery_of(tmp_path) == {first[0]: morning, first[1]: morning, later: evening}

    # The same content sent again is the same submission: nothing to deliver.
    _store(tmp_path, "CAF40", "2019;EAJE-1;EAJE_COLLECTIF;40192;12;15")
    assert deliver(tmp_path) is None


def test_an_unknown_delivery_is_named(tmp_path):
    with pytest.raises(KeyError, match="20990101-000000-nothing"):
        files_of(tmp_path, ["20990101-000000-nothing"])
