"""The rules of an action report that need the schemes or look across rows.

The contract (models/action_reports.py) judges each cell; this module judges a report against
what the scheme YAML says of each action (its scheme's period, its pilot and partners, its
milestones) and across the rows of one action and period:

- only the action's pilot or one of its partners may report on it (the receipt names them);
- the period reported lies within the action's scheme;
- a milestone is one of the action's, given with the day it was reached; that day is not before
  the scheme started, not after the end of the row's period, not after today;
- every row of one action and period gives the same state and share done, and at most one
  comment.

Validation calls :func:`check_action_reports` with its columns (``_Column`` in validation.py:
distinct values, per-row codes, ``report``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from orchestration.calendar import parse_period, period


@dataclass(frozen=True)
class ActionReference:
    """What the scheme YAML says of one action, for checking reports on it."""

    scheme_id: str
    scheme_start: date  # first day of the scheme's period
    scheme_end: date  # last day
    pilot: str
    partners: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()  # codes, in the action's order

    def may_report(self, partner: str) -> bool:
        return partner == self.pilot or partner in self.partners

    def runs_during(self, reported) -> bool:
        """Whether the action's scheme runs during some of ``reported`` (a calendar Period)."""
        return reported.start <= self.scheme_end and reported.end >= self.scheme_start

    def who_may(self) -> str:
        if not self.partners:
            return f"seul son pilote ({self.pilot}) peut en rendre compte"
        return (
            f"seuls son pilote ({self.pilot}) et ses partenaires ({', '.join(self.partners)}) "
            "peuvent en rendre compte"
        )


def action_references(schemes: Iterable) -> dict[str, ActionReference]:
    """Action code -> its reference, from scheme models (orchestration.schemes.Scheme)."""
    return {
        action.code: ActionReference(
            scheme_id=scheme.id,
            scheme_start=scheme.period.first_day,
            scheme_end=scheme.period.last_day,
            pilot=action.pilot,
            partners=tuple(action.partners),
            milestones=tuple(m.code for m in action.milestones),
        )
        for scheme in schemes
        for action in scheme.actions
    }


def action_references_from_warehouse(con) -> dict[str, ActionReference]:
    """The same, from the raw scheme tables (raw.actions, action_partners, action_milestones)."""
    partners, milestones = defaultdict(list), defaultdict(list)
    for action, partner in con.execute(
        # rowid: the order the scheme YAML lists them in
        "select action_code, partner_code from raw.action_partners order by rowid"
    ).fetchall():
        partners[action].append(partner)
    for action, code in con.execute(
        "select action_code, milestone_code from raw.action_milestones order by position"
    ).fetchall():
        milestones[action].append(code)
    rows = con.execute(
        """
        select a.action_code, s.scheme_id, s.start_year, coalesce(s.start_month, 1),
               s.end_year, coalesce(s.end_month, 12), a.pilot_partner
        from raw.actions as a join raw.schemes as s using (scheme_id)
        """
    ).fetchall()
    return {
        code: ActionReference(
            scheme_id=scheme,
            scheme_start=date(first, first_month, 1),
            scheme_end=period("month", last, last_month).end,
            pilot=pilot,
            partners=tuple(partners[code]),
            milestones=tuple(milestones[code]),
        )
        for code, scheme, first, first_month, last, last_month, pilot in rows
    }


def _french(day: date) -> str:
    return day.strftime("%d/%m/%Y")


class _Findings:
    """Problems found, grouped by (column, rule, message), reported once per group."""

    def __init__(self, rows: int):
        self.rows = rows
        self.groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)

    def add(self, column: str, rule: str, message: str, rows) -> None:
        self.groups[(column, rule, message)].extend(np.asarray(rows, dtype=np.int64).tolist())

    def report(self, columns, receipt) -> None:
        for (name, rule, message), rows in self.groups.items():
            mask = np.zeros(self.rows, dtype=bool)
            mask[rows] = True
            # A day is shown as the partner wrote it, not as it was read.
            columns[name].report(mask, receipt, rule, message, typed=name != "milestone_date")


def check_action_reports(columns, reference, receipt) -> None:
    """Report, on the cells concerned, every rule of the module docstring that a file breaks."""
    names = ("action_code", "state", "share_done", "milestone_code", "milestone_date", "comment")
    for name in names:
        columns[name].expand()  # these rules look at rows, not at distinct values
    rows = len(columns["action_code"].codes)
    reported = columns["period"]
    parsed = [parse_period(v) if isinstance(v, str) else None for v in reported.values]
    periods = pd.Series([parsed[c] for c in reported.codes.tolist()], dtype=object)
    frame = pd.DataFrame({name: columns[name].values for name in names})
    bad = pd.DataFrame({name: columns[name].bad for name in names})
    bad["period"] = reported.bad.take(reported.codes)
    found = _Findings(rows)
    if reference.actions is not None:
        _check_against_scheme(frame, bad, periods, reference, found)
    _check_pairs(frame, bad, found)
    _check_agreement(frame, bad, periods, columns["action_code"].lines, found)
    found.report(columns, receipt)


def _check_against_scheme(frame, bad, periods, reference, found) -> None:
    known = frame["action_code"].map(reference.actions)
    usable = known.notna() & ~bad["action_code"]
    for code in frame.loc[usable, "action_code"].unique().tolist():
        action: ActionReference = reference.actions[code]
        mine = usable & (frame["action_code"] == code)
        if reference.partner is not None and not action.may_report(reference.partner):
            found.add(
                "action_code",
                "action_not_yours",
                f"Votre organisme ({reference.partner}) ne pilote pas l'action {code} et n'en "
                f"est pas partenaire : {action.who_may()}.",
                np.flatnonzero(mine),
            )
            continue
        outside = (
            mine
            & ~bad["period"]
            & periods.map(lambda p, a=action: p is not None and not a.runs_during(p))
        )
        found.add(
            "action_code",
            "period_outside_action_scheme",
            f"L'action {code} appartient au schéma {action.scheme_id}, qui court du "
            f"{_french(action.scheme_start)} au {_french(action.scheme_end)} : la période de "
            "cette ligne est en dehors.",
            np.flatnonzero(outside),
        )
        milestone = frame["milestone_code"]
        stray = mine & milestone.notna() & ~bad["milestone_code"]
        stray &= ~milestone.isin(action.milestones)
        listed = ", ".join(action.milestones)
        found.add(
            "milestone_code",
            "unknown_milestone",
            f"Jalon inconnu pour l'action {code} : ses jalons sont {listed}."
            if listed
            else f"L'action {code} n'a pas de jalon dans le schéma : laissez code_jalon vide.",
            np.flatnonzero(stray),
        )
        _check_dates(frame, bad, periods, mine & ~stray, action, reference.today, found)


def _check_dates(frame, bad, periods, rows, action, today, found) -> None:
    dated = rows & frame["milestone_date"].notna() & ~bad["milestone_date"]
    for row in np.flatnonzero(dated).tolist():
        day = date.fromisoformat(frame.at[row, "milestone_date"])
        when = periods.iat[row]
        if day < action.scheme_start:
            found.add(
                "milestone_date",
                "milestone_before_scheme",
                f"Date antérieure au début du schéma {action.scheme_id} "
                f"({_french(action.scheme_start)}) : un jalon ne peut pas être atteint avant.",
                [row],
            )
        elif when is not None and not bad.at[row, "period"] and day > when.end:
            found.add(
                "milestone_date",
                "milestone_after_period",
                f"Date postérieure à la fin de la période {when.code} ({_french(when.end)}) :"
                " déclarez ce jalon dans le rapport de la période où il a été atteint.",
                [row],
            )
        elif day > today:
            found.add(
                "milestone_date",
                "milestone_in_future",
                "Date à venir : un jalon est déclaré une fois atteint.",
                [row],
            )


def _check_pairs(frame, bad, found) -> None:
    code, day = frame["milestone_code"].notna(), frame["milestone_date"].notna()
    found.add(
        "milestone_date",
        "milestone_date_missing",
        "Date manquante : donnez le jour où le jalon indiqué dans code_jalon a été atteint.",
        np.flatnonzero(code & ~day & ~bad["milestone_code"]),
    )
    found.add(
        "milestone_code",
        "milestone_code_missing",
        "Code jalon manquant : une date_jalon accompagne le code du jalon atteint ce jour-là.",
        np.flatnonzero(day & ~code & ~bad["milestone_date"]),
    )


def _check_agreement(frame, bad, periods, lines, found) -> None:
    """Rows of one action and period repeat its state and share; one comment at most."""
    key = pd.DataFrame(
        {
            "period": periods.map(lambda p: p.code if p is not None else None),
            "action": frame["action_code"],
        }
    )
    keyed = key.notna().all(axis=1) & ~bad["action_code"] & ~bad["period"]
    for name, rule, what in (
        ("state", "inconsistent_state", "l'état doit être le même"),
        ("share_done", "inconsistent_share", "la part réalisée doit être la même"),
    ):
        usable = keyed & ~bad[name]
        _differing(key, frame[name], usable, lines, found, name, rule, what)
    comments = keyed & frame["comment"].notna() & ~bad["comment"]
    _differing(key, frame["comment"], comments, lines, found, "comment", "several_comments", None)


def _differing(key, values, usable, lines, found, name, rule, what) -> None:
    """Rows whose value differs from the first usable row of their action and period."""
    rows = np.flatnonzero(usable)
    if len(rows) < 2:
        return
    groups = key.iloc[rows].astype(str).agg("\x1f".join, axis=1)
    first = pd.Series(rows, index=groups.index).groupby(groups.to_numpy()).transform("min")
    for row, ref in zip(rows.tolist(), first.to_numpy().tolist(), strict=True):
        a, b = values.iat[row], values.iat[ref]
        if row == ref or a == b or (pd.isna(a) and pd.isna(b)):
            continue
        line = int(lines[ref])
        if what is None:
            message = (
                f"Un seul commentaire par action et par période : la ligne {line} en donne déjà "
                "un autre. Réunissez-les sur une seule ligne."
            )
        else:
            message = (
                f"Pour une même action et une même période, {what} sur chaque ligne : la "
                f"ligne {line} donne une autre valeur."
            )
        found.add(name, rule, message, [row])
