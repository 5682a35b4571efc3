"""The submission calendar: the one home of "cadence + deadline -> what is due, when, and where
it stands". Pure Python (no Dagster, no warehouse): the completeness marts (through the table
the ``calendar`` asset writes), the portal, ``sdsf status``, the deadline checks and the
schedules all take their answer from here.

- A **period code** is how partners write a period, canonically ``2017`` (year), ``2017-T2``
  (quarter) or ``2017-03`` (month); :func:`parse_period` also reads ``2017-Q2`` and ``03/2017``.
  Period types and cadences are the ``granularities`` codes of sources/vocabulary.yaml.
- A partner owes, for each kind of file of the registry, one file per period of its **cadence**
  over the years of the schemes of its départements, for every period started by the as-of date
  (:func:`expected_periods`). Action reports are owed by the pilots of actions, over the years of
  the schemes whose actions they pilot (:func:`owed_years`).
- A period is **due** ``deadline_days`` after its last day, on the real calendar (leap years
  included: a 60-day annual deadline after 2027 falls on 29 February 2028).
- A file **concerns** an expected period when it reports a period lying within it; accepted
  files **cover** the period once the periods they report within it cover all its months
  together, in one file or several: a year by its file, its four quarters or its twelve
  months; a quarter by its file or its three months (one monthly file each, say). A longer
  period (a yearly file for a quarter) lacks the detail the cadence asks for and does not
  concern it; part of the period does not cover it.
- The **status** is a code of ``completeness_statuses``: ``on_time`` when the period was
  covered on or before its due date (by the arrival of the accepted file completing it),
  ``late`` when after, else ``missing`` once the due date is past and ``pending`` before. Only
  accepted files cover (a rejected file sent on time then corrected after the due date makes
  the period late); files received after the as-of date are not seen, so a past date gives the
  situation as it was.
- The **grace** (``SDSF_DEADLINE_GRACE_DAYS``, default 7) is how many days past its due date a
  missing period waits before the deadline checks and ``sdsf status`` report it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from orchestration import vocabulary

DEFAULT_GRACE_DAYS = 7
GRANULARITIES = vocabulary.codes("granularities")  # year, quarter, month
STATUSES = vocabulary.codes("completeness_statuses")  # on_time, late, pending, missing
ON_TIME, LATE, PENDING, MISSING = "on_time", "late", "pending", "missing"
assert set(STATUSES) == {ON_TIME, LATE, PENDING, MISSING}, STATUSES
# Kinds of file owed for the schemes whose actions the partner pilots, not for every scheme of
# its départements: a pilot reports on its own actions, over its own schemes' years.
PILOTED_KINDS = frozenset({"action_reports"})

# The spellings of a period partners may write; the contracts' pattern is built from them, so
# what a contract accepts is exactly what parse_period reads.
_MONTH_NUMBER = r"(0?[1-9]|1[0-2])"
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(rf"^(\d{{4}})-{_MONTH_NUMBER}$")
_MONTH_FR = re.compile(rf"^{_MONTH_NUMBER}/(\d{{4}})$")
_QUARTER = re.compile(r"^(\d{4})-[TtQq]([1-4])$")
PERIOD_PATTERN = (
    r"^\s*(" + "|".join(p.pattern[1:-1] for p in (_YEAR, _QUARTER, _MONTH, _MONTH_FR)) + r")\s*$"
)
PERIOD_RULE = "AAAA, AAAA-MM, MM/AAAA ou AAAA-T1 à AAAA-T4 (ex. 2017, 2017-03, 2017-T2)"

# The spellings of a day partners may write (a milestone reached on that day): French or ISO.
_DAY_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DAY_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_RULE = "JJ/MM/AAAA ou AAAA-MM-JJ (ex. 15/06/2019 ou 2019-06-15)"


# --------------------------------------------------------------------------- periods


def months_per_period(granularity: str) -> int:
    """12, 3 or 1: the months of one period of a granularity (a cadence or a period type)."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown cadence {granularity!r} (expected one of {GRANULARITIES})")
    return int(vocabulary.attribute("granularities", granularity, "months"))


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    """A canonical period: ``2017`` (year), ``2017-T2`` (quarter) or ``2017-03`` (month)."""

    start: date
    end: date
    code: str = field(compare=False)
    period_type: str = field(compare=False)  # a granularity code: year, quarter or month
    year: int = field(compare=False)

    @property
    def months(self) -> frozenset[tuple[int, int]]:
        """The (year, month) pairs the period spans."""
        first = self.start.year * 12 + self.start.month - 1
        last = self.end.year * 12 + self.end.month - 1
        return frozenset((m // 12, m % 12 + 1) for m in range(first, last + 1))

    @property
    def days(self) -> int:
        """How many days the period counts, both ends included (92 for 2017-T3)."""
        return (self.end - self.start).days + 1

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end


def period(granularity: str, year: int, position: int = 1) -> Period:
    """The ``position``-th period (1-based) of a granularity in a year."""
    size = months_per_period(granularity)
    if not 1 <= position <= 12 // size:
        raise ValueError(f"{granularity} {year}: no period {position}")
    first = (position - 1) * size + 1
    start, end = date(year, first, 1), _month_end(year, first + size - 1)
    if granularity == "year":
        code = str(year)
    elif granularity == "quarter":
        code = f"{year}-T{position}"
    else:
        code = f"{year}-{position:02d}"
    return Period(start, end, code, granularity, year)


def parse_period(text: str) -> Period | None:
    """The canonical period for a partner's spelling, or None when it is not a period (nor a
    date Python can hold: year 0000, or a month ending after 9999)."""
    try:
        return _parse_period(str(text).strip())
    except ValueError:
        return None


def _parse_period(value: str) -> Period | None:
    if not value.isascii():  # \d also matches Arabic-Indic or full-width digits
        return None
    if m := _YEAR.match(value):
        return period("year", int(m[1]))
    if m := _QUARTER.match(value):
        return period("quarter", int(m[1]), int(m[2]))
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
    elif m := _MONTH_FR.match(value):
        year, month = int(m[2]), int(m[1])
    else:
        return None
    return period("month", year, month) if 1 <= month <= 12 else None


def parse_date(text: str) -> date | None:
    """The day a partner wrote (``15/06/2019`` or ``2019-06-15``), or None when it is not one."""
    value = str(text).strip()
    if m := _DAY_FR.match(value):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _DAY_ISO.match(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    try:
        return date(year, month, day) if year >= 1 else None
    except ValueError:
        return None


def periods_of(cadence: str, year: int) -> list[Period]:
    """Every period of a cadence in a year, in order."""
    return [period(cadence, year, i) for i in range(1, 12 // months_per_period(cadence) + 1)]


def expected_periods(cadence: str, years: Iterable[int], as_of: date) -> list[Period]:
    """The periods of ``cadence`` over ``years`` that have started by ``as_of``, in order."""
    return [p for year in sorted(set(years)) for p in periods_of(cadence, year) if p.start <= as_of]


def scheme_years(departements: Iterable[str], schemes: Iterable[tuple[str, int, int]]) -> set[int]:
    """The years of the schemes (département, first year, last year) of a partner's départements."""
    mine = set(departements)
    return {y for dep, first, last in schemes if dep in mine for y in range(first, last + 1)}


def owed_years(
    partner: str,
    kinds: Iterable[str],
    departements: Iterable[str],
    schemes: Iterable[tuple[str, int, int, Iterable[str]]],
) -> dict[str, set[int]]:
    """Kind -> the years a partner owes files of that kind for, from the schemes (département,
    first year, last year, pilots of its actions): a kind of :data:`PILOTED_KINDS` over the
    schemes whose actions it pilots, any other over the schemes of its départements."""
    schemes = [(dep, first, last, frozenset(pilots)) for dep, first, last, pilots in schemes]
    everywhere = scheme_years(departements, ((d, f, la) for d, f, la, _ in schemes))
    piloted = {y for _, f, la, pilots in schemes if partner in pilots for y in range(f, la + 1)}
    return {kind: piloted if kind in PILOTED_KINDS else everywhere for kind in kinds}


def due_date(expected: Period, deadline_days: int) -> date:
    """The day a period's file is due: ``deadline_days`` after its last day (real calendar)."""
    return expected.end + timedelta(days=deadline_days)


def grace_days() -> int:
    """Days after a due date before a missing file is reported (``SDSF_DEADLINE_GRACE_DAYS``)."""
    return int(os.environ.get("SDSF_DEADLINE_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def as_of_date(configured: str | date | None = None) -> date:
    """The day the calendar is read on: ``configured``, else ``SDSF_AS_OF_DATE``, else today."""
    value = configured or os.environ.get("SDSF_AS_OF_DATE") or None
    if value is None:
        return date.today()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def months_within(expected: Period, reported: Iterable[Period | str | None]) -> set:
    """The (year, month) of ``expected`` that reported periods lying within it span."""
    inside: set[tuple[int, int]] = set()
    for item in reported:
        p = parse_period(item) if isinstance(item, str) else item
        if p is not None and p.within(expected):
            inside |= p.months
    return inside


def covers(expected: Period, reported: Iterable[Period | str | None]) -> bool:
    """Whether reported periods, together, cover ``expected`` (see the module's rule)."""
    return months_within(expected, reported) == expected.months


# --------------------------------------------------------------------------- files and status


@dataclass(frozen=True)
class File:
    """A file received: its id, when (UTC), whether intake accepted it, the periods it reports."""

    submission_id: str
    received_at: datetime
    accepted: bool
    periods: tuple[str, ...] = ()

    @property
    def received_on(self) -> date:
        return self.received_at.date()

    @classmethod
    def from_manifest(cls, manifest: Mapping) -> File:
        """A file from a store manifest (``received_at`` ISO text, ``status`` a receipt code);
        a file held by an approved period (approvals.HELD) was sent and valid: it counts, as in
        raw.submissions, where its status stays accepted."""
        from orchestration.approvals import HELD  # approvals reads periods from this module

        received = datetime.fromisoformat(str(manifest["received_at"]))
        if received.tzinfo is not None:  # the warehouse keeps UTC without a zone
            received = received.astimezone(UTC).replace(tzinfo=None)
        return cls(
            str(manifest["submission_id"]),
            received,
            manifest.get("status") in ("acceptee", HELD),
            tuple(manifest.get("periods") or ()),
        )


@dataclass(frozen=True)
class Assessment:
    """Where one expected period of a partner's kind of file stands on the as-of date."""

    partner: str
    kind: str
    cadence: str
    deadline_days: int
    period: Period
    deadline: date
    as_of: date
    files: tuple[File, ...]  # received by as_of and concerning the period, oldest first
    covered_by: File | None  # the accepted file whose arrival completed the coverage
    refused: tuple[File, ...]  # rejected files that concern the period (a fact, not a status)
    status: str
    days_late: int | None

    @property
    def accepted_files(self) -> tuple[File, ...]:
        return tuple(f for f in self.files if f.accepted)

    @property
    def accepted(self) -> bool:
        """Covered by accepted files."""
        return self.covered_by is not None

    @property
    def revisions(self) -> int:
        """Accepted files received after the coverage was complete (corrections)."""
        if self.covered_by is None:
            return 0
        return sum(f.received_at > self.covered_by.received_at for f in self.accepted_files)

    @property
    def late(self) -> bool:
        return self.status in (LATE, MISSING)

    @property
    def missing(self) -> bool:
        return self.status == MISSING

    @property
    def to_correct(self) -> bool:
        """A refused file must be corrected and sent again: nothing accepted, a refusal seen."""
        return not self.accepted and bool(self.refused)

    @property
    def last_submission(self) -> str | None:
        """The latest file received for the period (covering it or refused), if any."""
        seen = sorted({*self.files, *self.refused}, key=lambda f: f.received_at)
        return seen[-1].submission_id if seen else None

    def overdue(self, grace: int) -> bool:
        """Missing for more than ``grace`` days past the due date."""
        return self.status == MISSING and self.days_late is not None and self.days_late > grace

    @property
    def status_label(self) -> str:
        return vocabulary.label("completeness_statuses", self.status)


def status(deadline: date, accepted_on: date | None, as_of: date) -> tuple[str, int | None]:
    """The status code and days late, from the day the period was covered (if it was)."""
    if accepted_on is not None:
        if accepted_on <= deadline:
            return ON_TIME, 0
        return LATE, (accepted_on - deadline).days
    if as_of > deadline:
        return MISSING, (as_of - deadline).days
    return PENDING, None


def assess(
    partner: str,
    kind: str,
    cadence: str,
    deadline_days: int,
    expected: Period,
    files: Iterable[File],
    as_of: date,
) -> Assessment:
    """One expected period against every file of the partner's kind (any received date)."""
    seen = sorted((f for f in files if f.received_on <= as_of), key=lambda f: f.received_at)
    concerning = tuple(f for f in seen if months_within(expected, f.periods))
    months: set[tuple[int, int]] = set()
    covered_by = None
    for f in concerning:
        if f.accepted:
            months |= months_within(expected, f.periods)
            if months == expected.months:
                covered_by = f
                break
    deadline = due_date(expected, deadline_days)
    code, days_late = status(deadline, covered_by.received_on if covered_by else None, as_of)
    # A refused file concerns the period when it reports part of it, or when no period could be
    # read from it and it arrived after the period ended (the partner was most likely sending it).
    refused = tuple(
        f
        for f in seen
        if not f.accepted and (f in concerning or (not f.periods and f.received_on > expected.end))
    )
    return Assessment(
        partner, kind, cadence, deadline_days, expected, deadline, as_of, concerning, covered_by,
        refused, code, days_late,
    )  # fmt: skip


@dataclass(frozen=True)
class Expectation:
    """One line of the partner registry: a partner sends a kind of file at a cadence."""

    partner: str
    kind: str
    cadence: str
    deadline_days: int


def assess_registry(
    registry: Iterable[Expectation],
    years: Mapping[str, Iterable[int] | Mapping[str, Iterable[int]]],
    files: Mapping[tuple[str, str], Iterable[File]],
    as_of: date,
) -> list[Assessment]:
    """Every expected period of every registry line: ``years`` by partner, the same for every
    kind (see :func:`scheme_years`) or by kind (:func:`owed_years`); ``files`` by (partner,
    kind)."""
    out = []
    for line in registry:
        mine = list(files.get((line.partner, line.kind), ()))
        owed = years.get(line.partner, ())
        owed = owed.get(line.kind, ()) if isinstance(owed, Mapping) else owed
        for p in expected_periods(line.cadence, owed, as_of):
            out.append(
                assess(line.partner, line.kind, line.cadence, line.deadline_days, p, mine, as_of)
            )
    return out


# --------------------------------------------------------------------------- the warehouse table

# raw.submission_calendar: one row per expected period, read by fct_submission_completeness.
TABLE_COLUMNS = {
    "partner_code": "VARCHAR",
    "submission_kind": "VARCHAR",
    "period": "VARCHAR",
    "cadence": "VARCHAR",
    "period_type": "VARCHAR",
    "period_year": "INTEGER",
    "period_start": "DATE",
    "period_end": "DATE",
    "deadline_days": "INTEGER",
    "deadline_date": "DATE",
    "received": "INTEGER",
    "accepted": "INTEGER",
    "revisions": "INTEGER",
    "first_received_at": "TIMESTAMP",
    "first_accepted_at": "TIMESTAMP",
    "last_accepted_at": "TIMESTAMP",
    "late": "INTEGER",
    "missing": "INTEGER",
    "status": "VARCHAR",
    "days_late": "INTEGER",
    "submission_ids": "VARCHAR[]",
    "as_of_date": "DATE",
}
# raw.submission_calendar_files: one row per file received by the as-of date, read by
# fct_submission_timeliness (a file that covers no expected period is counted as unmatched).
FILE_TABLE_COLUMNS = {
    "submission_id": "VARCHAR",
    "partner_code": "VARCHAR",
    "submission_kind": "VARCHAR",
    "received_at": "TIMESTAMP",
    "accepted": "BOOLEAN",
    "matched": "BOOLEAN",
    "as_of_date": "DATE",
}


def calendar_rows(assessments: Iterable[Assessment]) -> list[dict]:
    """The rows of ``raw.submission_calendar`` (keys: :data:`TABLE_COLUMNS`)."""
    rows = []
    for a in assessments:
        accepted = a.accepted_files
        rows.append(
            {
                "partner_code": a.partner,
                "submission_kind": a.kind,
                "period": a.period.code,
                "cadence": a.cadence,
                "period_type": a.period.period_type,
                "period_year": a.period.year,
                "period_start": a.period.start,
                "period_end": a.period.end,
                "deadline_days": a.deadline_days,
                "deadline_date": a.deadline,
                "received": len(a.files),
                "accepted": int(a.accepted),
                "revisions": a.revisions,
                "first_received_at": a.files[0].received_at if a.files else None,
                "first_accepted_at": a.covered_by.received_at if a.covered_by else None,
                "last_accepted_at": accepted[-1].received_at if accepted else None,
                "late": int(a.late),
                "missing": int(a.missing),
                "status": a.status,
                "days_late": a.days_late,
                "submission_ids": sorted(f.submission_id for f in a.files),
                "as_of_date": a.as_of,
            }
        )
    return rows


def file_rows(
    files: Mapping[tuple[str, str], Iterable[File]], assessments: Iterable[Assessment], as_of: date
) -> list[dict]:
    """The rows of ``raw.submission_calendar_files`` (keys: :data:`FILE_TABLE_COLUMNS`)."""
    matched = {f.submission_id for a in assessments for f in a.files}
    return [
        {
            "submission_id": f.submission_id,
            "partner_code": partner,
            "submission_kind": kind,
            "received_at": f.received_at,
            "accepted": f.accepted,
            "matched": f.submission_id in matched,
            "as_of_date": as_of,
        }
        for (partner, kind), mine in sorted(files.items())
        for f in sorted(mine, key=lambda f: f.received_at)
        if f.received_on <= as_of
    ]


# --------------------------------------------------------------------------- schedules


def due_dates(cadence: str, deadline_days: int, years: Iterable[int]) -> list[date]:
    """The distinct due dates of the periods of a cadence over ``years``, sorted."""
    return sorted({due_date(p, deadline_days) for y in set(years) for p in periods_of(cadence, y)})
