"""Pandera contracts of partner submissions: the one source of truth for their columns."""

from __future__ import annotations

import pandera.pandas as pa

from models.action_reports import ActionReportsSubmission
from models.attendance import AttendanceSubmission
from models.beneficiaries import BeneficiariesSubmission
from models.placements import PlacementsSubmission

CONTRACTS: dict[str, type[pa.DataFrameModel]] = {
    "placements": PlacementsSubmission,
    "attendance": AttendanceSubmission,
    "beneficiaries": BeneficiariesSubmission,
    "action_reports": ActionReportsSubmission,
}
KINDS = tuple(CONTRACTS)

__all__ = [
    "CONTRACTS",
    "KINDS",
    "ActionReportsSubmission",
    "AttendanceSubmission",
    "BeneficiariesSubmission",
    "PlacementsSubmission",
]
