"""What a valid code looks like: official territory codes, our identifiers, vocabulary codes.

Code lists (partner types, cadences, directions...) are not written here: they come from
``sources/vocabulary.yaml`` through :mod:`orchestration.vocabulary`, and :func:`code_problem`
says why a value is not one of them, listing the accepted codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from orchestration import vocabulary

# COG département codes: 01-19, 21-95 (no 20 since Corsica split), 2A, 2B, 971-976.
DEPARTEMENT_RE = re.compile(r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-6])$")
COMMUNE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
EPCI_RE = re.compile(r"^\d{9}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[A-Z0-9]+([-._][A-Z0-9]+)*$")
PARTNER_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
MEASURE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def code_problem(value: str, accepted: Sequence[str], what: str) -> str | None:
    """Why ``value`` is not one of the ``accepted`` codes of a list, or None if it is."""
    if value in accepted:
        return None
    return f"unknown {what} {value!r} (accepted: {', '.join(accepted)})"


def measure_sources() -> tuple[str, ...]:
    """Where a measure may be read: a kind of partner file, or a reference file."""
    return vocabulary.codes("submission_kinds") + vocabulary.codes("reference_sources")


def bad_departement(code: str) -> str:
    return f'{code!r} is not a département code (e.g. "40", "2A", "971")'


def territory_problem(code: str, departement: str) -> str | None:
    """Why a code is not an EPCI SIREN or a commune of the département, or None if it is."""
    if EPCI_RE.match(code):
        return None
    if not COMMUNE_RE.match(code):
        return f"{code!r} is neither an EPCI SIREN (9 digits) nor a commune code (5 characters)"
    if not code.startswith(departement):
        return f"commune {code!r} is not in département {departement!r}"
    return None


def territory_level(code: str) -> Literal["epci", "commune"]:
    """'epci' for a 9-digit SIREN, 'commune' for a COG commune code."""
    return "epci" if EPCI_RE.match(code) else "commune"
