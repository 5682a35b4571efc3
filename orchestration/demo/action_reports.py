"""The pilots' yearly action reports (« suivi des actions »), in the contract of
``models/action_reports.py``: one row per action reported on, plus one per milestone reached.

By default an action is « en cours » every year of its scheme, its share done following the time
elapsed, and each of its milestones (``jalons`` in the scheme YAML) is reached a few days before
it is due and reported in the report of the year it was reached. The ``action_reports`` section
of a département's spec tells each scheme's exceptions, by action code:

- ``not_started: {action: year}``: « non engagée » up to that year;
- ``realised: {action: year}``: « réalisée » from that year;
- ``abandoned: {action: year}``: « abandonnée » from that year; its milestones not reached by
  then never are;
- ``late_milestones: {milestone: days}``: reached that many days after its due date;
- ``comments: {action: text}``: the comment of the report where the action's state changes.

Default comments by state are in ``sources/demo/action_reports.yaml``. Comments are published as
written: plain French text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

NOT_STARTED, IN_PROGRESS, REALISED, ABANDONED = "NON_ENGAGEE", "EN_COURS", "REALISEE", "ABANDONNEE"
STORY_KEYS = ("not_started", "realised", "abandoned", "late_milestones", "comments")


@dataclass(frozen=True)
class Report:
    """What a pilot says of one action for one year."""

    action: str
    year: int
    state: str
    share: int
    milestones: tuple[tuple[str, date], ...]  # reached in that year
    comment: str


class ActionStories:
    """Every scheme's actions, milestones and story, to write any pilot's report of a year."""

    def __init__(self, schemes, stories: dict[str, dict], comments: dict[str, str], seed: int):
        self.schemes = {s.id: s for s in schemes}
        unknown = set(stories) - set(self.schemes)
        if unknown:
            raise ValueError(f"demo action reports: unknown schemes {sorted(unknown)}")
        self.stories, self.comments, self.seed = stories, comments, seed
        self._check()

    def _check(self) -> None:
        for scheme_id, story in self.stories.items():
            scheme = self.schemes[scheme_id]
            actions = {a.code for axis in scheme.axes for a in axis.actions}
            milestones = {m.code for axis in scheme.axes for a in axis.actions for m in a.jalons}
            for key, values in story.items():
                what = "milestones" if key == "late_milestones" else "actions"
                known = milestones if what == "milestones" else actions
                if key not in STORY_KEYS or set(values) - known:
                    raise ValueError(
                        f"demo action reports, {scheme_id}: {key} names {sorted(values)}, "
                        f"expected codes of {what}"
                    )

    def piloted(self, partner: str, year: int) -> list[tuple]:
        """(scheme, action) the partner pilots in schemes running in ``year``."""
        out = []
        for scheme in self.schemes.values():
            if scheme.period.start <= year <= scheme.period.end:
                out += [
                    (scheme, a) for axis in scheme.axes for a in axis.actions if a.pilot == partner
                ]
        return out

    def report(self, scheme, action, year: int) -> Report:
        story = self.stories.get(scheme.id, {})
        state, changed = self._state(story, action.code, year)
        share = self._share(scheme, action.code, year, state)
        reached = tuple(
            (m.code, day)
            for m in action.jalons
            if (day := self._reached(scheme, story, action.code, m)) is not None
            and day.year == year
        )
        comment = story.get("comments", {}).get(action.code) if changed else None
        return Report(action.code, year, state, share, reached, comment or self.comments[state])

    def _state(self, story: dict, code: str, year: int) -> tuple[str, bool]:
        """The state in ``year`` and whether it is the year it became so."""
        for key, state, from_year in (
            ("abandoned", ABANDONED, True),
            ("realised", REALISED, True),
            ("not_started", NOT_STARTED, False),
        ):
            when = story.get(key, {}).get(code)
            if when is not None and (year >= when if from_year else year <= when):
                return state, year == when
        return IN_PROGRESS, False

    def _share(self, scheme, code: str, year: int, state: str) -> int:
        if state == NOT_STARTED:
            return 0
        if state == REALISED:
            return 100
        if state == ABANDONED:  # frozen where it stood the year before
            return (
                self._share(scheme, code, year - 1, IN_PROGRESS)
                if year > scheme.period.start
                else 5
            )
        first, last = scheme.period.first_day, scheme.period.last_day
        elapsed = (min(date(year, 12, 31), last) - first).days / max(1, (last - first).days)
        rng = random.Random(f"{self.seed}:{code}:{year}")
        return max(5, min(95, round(100 * elapsed * rng.uniform(0.75, 0.95))))

    def _reached(self, scheme, story: dict, code: str, milestone) -> date | None:
        """The day a milestone was reached, or None when it never was."""
        rng = random.Random(f"{self.seed}:{milestone.code}")
        late = story.get("late_milestones", {}).get(milestone.code)
        shift = late if late is not None else -rng.randint(0, 20)
        day = max(milestone.due_date + timedelta(days=shift), scheme.period.first_day)
        abandoned = story.get("abandoned", {}).get(code)
        if abandoned is not None and day.year >= abandoned:
            return None
        not_started = story.get("not_started", {}).get(code)
        if not_started is not None and day.year <= not_started:
            raise ValueError(
                f"demo action reports: {milestone.code} reached while {code} is not started"
            )
        return day


def report_rows(reports: list[Report], dialect) -> list[list[str]]:
    """The CSV rows of one pilot's reports: the state on every row, the comment once."""
    rows = []
    for r in reports:
        period, share = str(r.year), dialect.number(r.share)
        reached = r.milestones or ((None, None),)
        for i, (milestone, day) in enumerate(reached):
            rows.append(
                [
                    period,
                    r.action,
                    r.state,
                    share,
                    milestone or "",
                    dialect.date(day) if day else "",
                ]
                + [r.comment if i == 0 else ""]
            )
    return rows
