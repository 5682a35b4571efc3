"""The intake corpus: every partner file in tests/intake/corpus gets its hand-written receipt.

Each case of ``corpus/expected.yaml`` names a file, the kind it is validated as and the exact
receipt: accepted or not, rows read, and the ordered (line, column, rule) of every error and
warning. Cases with a ``partner`` go through the partner registry as a stored submission.
"""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from orchestration.intake.receipt import MAX_LISTED_ISSUES
from orchestration.intake.service import detect_kind, validate_submission
from orchestration.intake.store import SubmissionStore
from orchestration.intake.validation import ReferenceData, validate_bytes

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = [
    case
    for name in ("expected.yaml", "expected_hostile.yaml")
    for case in yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
]

REFERENCE = ReferenceData(
    commune_codes=frozenset({"40192", "40088", "01004", "2A004"}),
    epci_codes=frozenset({"200069409", "244000808"}),
    action_codes=frozenset({"LAN-3.1", "LAN-3.2"}),
    known_structures=frozenset({"EAJE-40192-01", "EAJE-40088-01", "MAM-01004-01"}),
    years=(2015, 2019),
    today=date(2020, 1, 1),
)
PARTNER_KINDS = {
    "caf40": {"placements", "attendance"},
    "msa-sud-aquitaine": {"beneficiaries"},
}


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        yield pytest.param(case, id=case["file"].removesuffix(".csv"), marks=marks)


def _receive(case: dict, tmp_path: Path):
    """The receipt and loadable rows of a corpus file, the way the case says it arrives."""
    data = (CORPUS / case["file"]).read_bytes()
    reference = REFERENCE
    if "max_bytes" in case:
        reference = replace(REFERENCE, max_bytes=case["max_bytes"])
    if "partner" not in case:
        result = validate_bytes(data, case["kind"], reference=reference, file_name=case["file"])
        return result.receipt, result.frame
    kind = detect_kind(data)
    assert kind == case["kind"], f"detect_kind found {kind!r}"
    submission, _ = SubmissionStore(tmp_path).put(
        data, partner=case["partner"], kind=kind, file_name=case["file"]
    )
    return validate_submission(submission, reference, PARTNER_KINDS)


def _where(issues) -> list[list]:
    return [[issue.line, issue.column, issue.rule] for issue in issues]


def _same(read, expected) -> bool:
    if expected is None:
        return read is None or (isinstance(read, float) and math.isnan(read))
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(read, int | float) and read == pytest.approx(expected)
    return read == expected


def test_corpus_has_at_least_forty_files_each_with_one_expected_receipt():
    files = sorted(p.name for p in CORPUS.glob("*.csv"))
    listed = [case["file"] for case in CASES]
    assert len(files) >= 40
    assert sorted(listed) == files, "every corpus file has exactly one case, and vice versa"


def test_corpus_files_are_what_make_corpus_writes():
    result = subprocess.run(
        [sys.executable, str(CORPUS / "make_corpus.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", list(_params()))
def test_corpus_file_gets_its_expected_receipt(case, tmp_path):
    receipt, frame = _receive(case, tmp_path)
    shown = receipt.to_text()
    assert receipt.accepted is case["accepted"], shown
    assert receipt.rows == case["rows"], shown
    if "error_count" in case:  # only the first errors are written out, and the total
        assert receipt.error_count == case["error_count"], shown
        assert _where(receipt.errors)[: len(case["errors"])] == case["errors"], shown
        listed = receipt.to_dict()["errors"]
        assert len(listed) == MAX_LISTED_ISSUES + 1, "the rest is summed up in one line"
        assert str(case["error_count"] - MAX_LISTED_ISSUES) in listed[-1]["message"]
    else:
        assert _where(receipt.errors) == case["errors"], shown
    assert _where(receipt.warnings) == case["warnings"], shown
    for issue in [*receipt.errors, *receipt.warnings]:
        assert issue.message.strip(), f"{issue.rule} has no message"
    messages = " ".join(e.message for e in receipt.errors)
    for text in case.get("messages", []):
        assert text in messages, f"{text!r} missing from: {messages}"
    if not case["accepted"]:
        assert frame is None
    if "line" in case.get("frame", {}):
        assert frame["line"].tolist() == case["frame"]["line"]
    for column, expected in case.get("frame", {}).items():
        if column == "line":
            continue
        read = frame[column].tolist()
        assert len(read) == len(expected), (column, read)
        assert all(map(_same, read, expected)), (column, read, expected)
