"""The Open SDG progress grading (Statistics Canada's method, as Open SDG publishes it).

A second reading of an indicator beside the trajectory status: the latest observed value is
compared with the base value through compound annual growth rates (CAGR).

- With a target: ``progress_value`` is the ratio R = d * CAGR_observed / |CAGR_required|, where
  CAGR_required is the rate that reaches the target in the target year and d is +1 when the
  desired direction is up, -1 when it is down. Statuses: ``target_achieved`` (the latest value
  reaches the target), ``substantial_progress`` (R >= 0.95), ``moderate_progress`` (>= 0.6),
  ``limited_progress`` (>= 0), ``deterioration`` (< 0).
- Without a target: ``progress_value`` is d * CAGR_observed, against the thresholds 1.5 % and
  0.5 % (and 0), both multiplied by the natural-limit coefficient C when a limit is declared.
- ``not_available`` with fewer than two years, or values of both signs.
- Scores from -5 to 5, linear by pieces: with a target R = -0.6 -> -5, 0.6 -> 0, 1.3 -> 5 (a
  target achieved scores 5); without one -2 % -> -5, 0 -> -2.5, 0.5 % C -> 0, 1.5 % C -> 2.5,
  2 % C -> 5. Several series roll up as the mean of their scores (:func:`mean_score`).
- Edge cases as the method defines them: a base or target of 0 is replaced by 0.001; when
  every value is negative the computation runs on magnitudes with the direction flipped; a base
  value exactly at the limit scores 5 (``substantial_progress``) unless the value moved away.

The natural-limit coefficient is published only as a figure; its stated requirement is that
growing at the top threshold for 15 years never crosses the limit, so C here is the largest
coefficient that meets it: ((y_lim / y_0) ** (1/15) - 1) / 1.5 % towards a maximum,
(1 - (y_lim / y_0) ** (1/15)) / 1.5 % towards a minimum, capped at 1.

The status codes and their French labels are the ``grading_statuses`` of
``sources/vocabulary.yaml``. The marts (dbt Python model ``int_indicator_grading``) and
``sdsf grade`` both call :func:`grade`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HIGH_RATIO, MEDIUM_RATIO = 0.95, 0.6
HIGH_GROWTH, MEDIUM_GROWTH = 0.015, 0.005
ZERO_REPLACEMENT = 0.001
# Years over which the top threshold must not carry a value beyond its limit.
LIMIT_HORIZON_YEARS = 15
# Score breakpoints: (progress value, score), linear between them, flat beyond the ends.
RATIO_SCORE_POINTS = ((-0.6, -5.0), (0.6, 0.0), (1.3, 5.0))
GROWTH_SCORE_POINTS = ((-0.02, -5.0), (0.0, -2.5), (0.005, 0.0), (0.015, 2.5), (0.02, 5.0))
SCORE_STATUSES = (
    (2.5, "substantial_progress"),
    (0.0, "moderate_progress"),
    (-2.5, "limited_progress"),
)


@dataclass(frozen=True)
class Grade:
    """A series' grading: the progress value (R or CAGR), its score and its status code."""

    progress_value: float | None
    score: float | None
    status: str


NOT_AVAILABLE = Grade(None, None, "not_available")


def grade(
    base_year: int | None,
    base_value: float | None,
    year: int | None,
    value: float | None,
    *,
    direction: str,
    target_year: int | None = None,
    target: float | None = None,
    limit: float | None = None,
) -> Grade:
    """Grade the latest ``value`` of ``year`` against ``base_value`` of ``base_year``.

    ``direction`` is ``up`` or ``down`` (the desired direction). Without ``target`` the
    observed growth is graded; ``limit`` (a natural maximum or minimum) scales its thresholds.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    if None in (base_year, base_value, year, value) or year <= base_year:
        return NOT_AVAILABLE
    if any(math.isnan(x) for x in (base_value, value)):
        return NOT_AVAILABLE
    sense = 1 if direction == "up" else -1
    values = [base_value, value] + ([target] if target is not None else [])
    if all(x <= 0 for x in values) and any(x < 0 for x in values):
        # Every value negative: magnitudes, and the desired direction flipped.
        base_value, value = -base_value, -value
        target = -target if target is not None else None
        limit = -limit if limit is not None else None
        sense = -sense
    elif any(x < 0 for x in values):
        return NOT_AVAILABLE
    if target is not None:
        return _grade_with_target(base_year, base_value, year, value, target_year, target, sense)
    return _grade_growth(base_year, base_value, year, value, sense, limit)


def _cagr(start: float, end: float, years: float) -> float:
    start, end = start or ZERO_REPLACEMENT, end or ZERO_REPLACEMENT
    return (end / start) ** (1 / years) - 1


def _grade_with_target(base_year, base_value, year, value, target_year, target, sense) -> Grade:
    ratio = _ratio(base_year, base_value, year, value, target_year, target, sense)
    if sense * (value - target) >= 0:
        return Grade(ratio, 5.0, "target_achieved")
    if ratio is None:
        # The base value was already the target and the value has moved away from it.
        if target_year is None or target_year <= base_year:
            return NOT_AVAILABLE
        return Grade(None, -5.0, "deterioration")
    score = _piecewise(ratio, RATIO_SCORE_POINTS)
    return Grade(ratio, score, _band(ratio, HIGH_RATIO, MEDIUM_RATIO))


def _band(value: float, high: float, medium: float) -> str:
    """The status of a progress value given the method's two thresholds above 0."""
    if value >= high:
        return "substantial_progress"
    if value >= medium:
        return "moderate_progress"
    return "limited_progress" if value >= 0 else "deterioration"


def _ratio(base_year, base_value, year, value, target_year, target, sense) -> float | None:
    if target_year is None or target_year <= base_year:
        return None
    required = _cagr(base_value, target, target_year - base_year)
    if required == 0:
        return None
    return sense * _cagr(base_value, value, year - base_year) / abs(required)


def limit_coefficient(base_value: float, limit: float | None, sense: int) -> float:
    """C in [0, 1]: 1 far from the limit, 0 at it; 1 for a limit against the desired direction."""
    if limit is None:
        return 1.0
    base = base_value or ZERO_REPLACEMENT
    if sense > 0 and base < limit:
        room = (limit / base) ** (1 / LIMIT_HORIZON_YEARS) - 1
    elif sense < 0 and base > limit >= 0:
        room = 1 - (limit / base) ** (1 / LIMIT_HORIZON_YEARS)
    elif base == limit:
        return 0.0
    else:
        return 1.0
    return min(1.0, room / HIGH_GROWTH)


def _grade_growth(base_year, base_value, year, value, sense, limit) -> Grade:
    growth = sense * _cagr(base_value, value, year - base_year)
    scale = limit_coefficient(base_value, limit, sense)
    if scale == 0 and growth >= 0:
        return Grade(growth, 5.0, "substantial_progress")
    # Only the thresholds above 0 are scaled.
    points = tuple((x * scale if x > 0 else x, s) for x, s in GROWTH_SCORE_POINTS)
    score = _piecewise(growth, points)
    return Grade(growth, score, _band(growth, HIGH_GROWTH * scale, MEDIUM_GROWTH * scale))


def _piecewise(x: float, points: tuple[tuple[float, float], ...]) -> float:
    if x <= points[0][0]:
        return points[0][1]
    for (x0, s0), (x1, s1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return s0 + (s1 - s0) * (x - x0) / (x1 - x0) if x1 > x0 else s1
    return points[-1][1]


def mean_score(scores: list[float | None]) -> float | None:
    """The mean of the scores that exist (the method's roll-up of several series)."""
    known = [s for s in scores if s is not None]
    # fsum is exactly rounded, so the mean does not depend on the order scores come in (the
    # rows of a table DuckDB wrote with several threads come in no fixed order).
    return math.fsum(known) / len(known) if known else None


def status_of_score(score: float | None, *, all_achieved: bool = False) -> str:
    """The status a mean score stands for; ``target_achieved`` only when every series is."""
    if score is None:
        return "not_available"
    if all_achieved:
        return "target_achieved"
    for floor, status in SCORE_STATUSES:
        if score >= floor:
            return status
    return "deterioration"
