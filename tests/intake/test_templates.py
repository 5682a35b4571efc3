"""The committed templates and column guide are exactly what the contracts generate."""

from __future__ import annotations

import pytest

from models import KINDS
from orchestration.intake.templates import TEMPLATES_DIR, expected_files, template_csv
from orchestration.intake.validation import validate_bytes


@pytest.mark.parametrize(("name", "content"), sorted(expected_files().items()))
def test_committed_file_matches_the_contracts(name, content):
    path = TEMPLATES_DIR / name
    assert path.exists(), f"run `sdsf templates` to create {path}"
    assert path.read_bytes().decode("utf-8-sig") == content, (
        f"run `sdsf templates`: {name} is stale"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_template_with_its_example_line_is_accepted(kind):
    receipt = validate_bytes(template_csv(kind).encode("utf-8-sig"), kind).receipt
    assert receipt.accepted, receipt.to_text()
    assert receipt.rows == 1
