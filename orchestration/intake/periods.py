"""Reporting periods as partners write them, and their canonical form."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_FR = re.compile(r"^(\d{1,2})/(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[TtQq]([1-4])$")

# The codes of the granularities of sources/vocabulary.yaml.
PERIOD_TYPES = ("year", "quarter", "month")


@dataclass(frozen=True)
class Period:
    """A canonical period: ``2017``, ``2017-T2`` or ``2017-03``."""

    code: str
    period_type: str
    year: int
    start: date
    end: date


def parse_period(text: str) -> Period | None:
    """The canonical period for a partner's spelling, or None when it is not a period."""
    value = str(text).strip()
    if m := _YEAR.match(value):
        year = int(m[1])
        return Period(value, "year", year, date(year, 1, 1), date(year, 12, 31))
    if m := _QUARTER.match(value):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        last_day = calendar.monthrange(year, first + 2)[1]
        return Period(
            f"{year}-T{quarter}",
            "quarter",
            year,
            date(year, first, 1),
            date(year, first + 2, last_day),
        )
    m = _MONTH.match(value)
    if m:
        year, month = int(m[1]), int(m[2])
    elif m := _MONTH_FR.match(value):
        year, month = int(m[2]), int(m[1])
    else:
        return None
    if not 1 <= month <= 12:
        return None
    last_day = calendar.monthrange(year, month)[1]
    return Period(
        f"{year}-{month:02d}", "month", year, date(year, month, 1), date(year, month, last_day)
    )
