"""The action-report form: a partner's actions for one year, and the file the form posts.

The form is one more way to write an ``action_reports`` file. What it posts becomes a CSV with
the contract's French headers and enters the intake exactly as an uploaded file does
(``receive_upload``: store, validation, receipt); the receipt then judges the content. The form
itself only keeps a partner to the actions the intake lets it report on
(``ActionReference.may_report``) and to a year the calendar expects of it, so that a forged
post stores nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from models import CONTRACTS
from models.common import french_names
from orchestration import schemes as scheme_defs
from orchestration.intake.action_reports import action_references
from orchestration.intake.validation import validate_bytes
from orchestration.portal.expectations import partner_expectations, partner_years
from orchestration.portal.receiving import receive_upload

KIND = "action_reports"
# A comment is at most 1,000 characters: room for a few dozen actions and their milestones.
MAX_FORM_BYTES = 512 * 1024
MAX_FORM_FIELDS = 2000
_FIELDS = ("etat", "part", "commentaire", "jalon")
INVALID = "Formulaire invalide : rechargez la page et recommencez. Rien n'a été enregistré."


class FormRefused(Exception):
    """The post cannot become a file; ``message`` says why, in French. Nothing was stored."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class FormAction:
    """One action a partner may report on, as the form shows it."""

    code: str
    title: str
    scheme_id: str
    scheme_title: str
    pilot: str
    milestones: tuple = ()  # orchestration.schemes.Milestone, in the action's order

    def is_pilot(self, partner: str) -> bool:
        return partner == self.pilot


@dataclass
class Entry:
    """What the form holds for one action: prefilled from a report, or as posted."""

    state: str = ""
    share: str = ""
    comment: str = ""
    reached: dict[str, str] = field(default_factory=dict)  # milestone code -> AAAA-MM-JJ

    @property
    def empty(self) -> bool:
        return not (self.state or self.share or self.comment or any(self.reached.values()))


def reportable_actions(partner: str, schemes, period) -> list[FormAction]:
    """The actions ``partner`` may report on whose scheme runs during ``period``."""
    references = action_references(schemes)
    return [
        FormAction(
            code=action.code,
            title=action.title,
            scheme_id=scheme.id,
            scheme_title=scheme.title,
            pilot=action.pilot,
            milestones=tuple(action.milestones),
        )
        for scheme in schemes
        for action in scheme.actions
        if references[action.code].may_report(partner)
        and references[action.code].runs_during(period)
    ]


def entries_from_report(data: bytes, period_code: str) -> dict[str, Entry]:
    """Action code -> what an accepted report file says of it for ``period_code``.

    The file is read by the intake itself, whatever dialect it was sent in.
    """
    frame = validate_bytes(data, KIND).frame
    entries: dict[str, Entry] = {}
    if frame is None:
        return entries
    for row in frame[frame["period"] == period_code].itertuples():
        entry = entries.setdefault(row.action_code, Entry())
        entry.state = row.state or entry.state
        if row.share_done == row.share_done and entry.share == "":  # NaN when not given
            entry.share = _share_text(row.share_done)
        entry.comment = row.comment or entry.comment
        if row.milestone_code:
            entry.reached[row.milestone_code] = row.milestone_date or ""
    return entries


def read_pairs(body: bytes) -> list[tuple[str, str]]:
    """The fields of an url-encoded form body, in order; ``FormRefused`` when unreadable."""
    try:
        return parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormRefused(400, INVALID) from exc


def first_value(pairs: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in pairs if key == name), "")


def posted_entries(pairs, actions: dict[str, FormAction], refused_action) -> dict[str, Entry]:
    """Action code -> what was posted for it.

    Fields are ``etat:<action>``, ``part:<action>``, ``commentaire:<action>`` and
    ``jalon:<action>:<milestone>`` (the day reached). An action outside ``actions`` raises
    ``FormRefused`` (403) with ``refused_action(code)`` as its message.
    """
    entries: dict[str, Entry] = {}
    for name, value in pairs:
        if name in ("periode", "csrf"):
            continue
        what, _, rest = name.partition(":")
        code, _, milestone = rest.partition(":")
        if what not in _FIELDS or not code or bool(milestone) != (what == "jalon"):
            raise FormRefused(400, INVALID)
        if code not in actions:
            raise FormRefused(403, refused_action(code))
        entry = entries.setdefault(code, Entry())
        value = value.strip()
        if what == "etat":
            entry.state = value
        elif what == "part":
            entry.share = value
        elif what == "commentaire":
            entry.comment = value
        else:
            entry.reached[milestone] = value
    return entries


def report_csv(period_code: str, actions: list[FormAction], entries: dict[str, Entry]) -> bytes:
    """The action-report file the form stands for: UTF-8, ``;``, the contract's headers.

    One row per milestone reached (state and share repeated, the comment on the first), or
    one row with the state alone; actions left blank are not reported.
    """
    headers = french_names(CONTRACTS[KIND])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers.values())
    for action in actions:
        entry = entries.get(action.code)
        if entry is None or entry.empty:
            continue
        reached = [(code, day) for code, day in entry.reached.items() if day]
        for i, (milestone, day) in enumerate(reached or [("", "")]):
            row = {
                "period": period_code,
                "action_code": action.code,
                "state": entry.state,
                "share_done": entry.share,
                "milestone_code": milestone,
                "milestone_date": day,
                "comment": entry.comment if i == 0 else "",
            }
            writer.writerow(row[name] for name in headers)
    return out.getvalue().encode("utf-8")


def _share_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")


class ActionFormPages:
    """``GET``/``POST /suivi-des-actions`` over the portal's shared state (app.py ``_Portal``)."""

    def __init__(self, portal):
        self.portal = portal

    def _partner_view(self, request: Request):
        account = self.portal.require_may(request, "upload")
        partners = self.portal.partners()
        partner = partners.get(account.partner)
        if partner is None:
            raise HTTPException(404)
        return account, partner, scheme_defs.load_schemes(partners=partners)

    def _expected(self, partner, schemes) -> list:
        """The years the calendar expects an action report of ``partner``, latest first."""
        manifests = self.portal.manifests(partner.code)
        every = partner_expectations(partner, manifests, partner_years(partner, schemes))
        return [a for a in every if a.kind == KIND]

    async def page(self, request: Request) -> Response:
        account, partner, schemes = self._partner_view(request)
        expected = await run_in_threadpool(self._expected, partner, schemes)
        if not expected:
            return self.portal.render(
                request, "suivi_actions.html", partner=partner, expected=[], chosen=None
            )
        wanted = request.query_params.get("periode") or expected[0].period.code
        chosen = next((a for a in expected if a.period.code == wanted), None)
        if chosen is None:
            raise HTTPException(404, f"Aucun suivi des actions n'est attendu pour « {wanted} ».")
        actions = reportable_actions(partner.code, schemes, chosen.period)
        prefilled_from = chosen.accepted_files[-1] if chosen.accepted_files else None
        entries = {}
        if prefilled_from is not None:
            data = self.portal.store.get(prefilled_from.submission_id).read_bytes()
            entries = await run_in_threadpool(entries_from_report, data, chosen.period.code)
        return self.portal.render(
            request,
            "suivi_actions.html",
            partner=partner,
            expected=expected,
            chosen=chosen,
            actions=actions,
            entries=entries,
            prefilled_from=prefilled_from,
        )

    async def submit(self, request: Request) -> Response:
        account, partner, schemes = self._partner_view(request)
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > MAX_FORM_BYTES:
            raise HTTPException(413, "Formulaire trop volumineux : rien n'a été enregistré.")
        body = await request.body()
        try:
            pairs = read_pairs(body)
            self.portal.check_csrf(request, first_value(pairs, "csrf"))
            expected = await run_in_threadpool(self._expected, partner, schemes)
            chosen = next(
                (a for a in expected if a.period.code == first_value(pairs, "periode")), None
            )
            if chosen is None:
                raise FormRefused(400, "Choisissez une année attendue. Rien n'a été enregistré.")
            actions = reportable_actions(partner.code, schemes, chosen.period)
            by_code = {a.code: a for a in actions}
            refusal = _refusal(partner.code, action_references(schemes), chosen.period.code)
            entries = posted_entries(pairs, by_code, refusal)
        except FormRefused as refused:
            raise HTTPException(refused.status, refused.message) from refused
        if all(entry.empty for entry in entries.values()):
            raise HTTPException(
                400, "Renseignez au moins une action avant d'envoyer. Rien n'a été enregistré."
            )
        data = report_csv(chosen.period.code, actions, entries)
        sub, _, _ = await run_in_threadpool(
            receive_upload,
            self.portal.home,
            data,
            partner=partner.code,
            kind=KIND,
            file_name=f"formulaire_suivi_actions_{chosen.period.code}.csv",
            cache=self.portal.cache,
            actor=self.portal.actor(request, account),
            event="action_form_submitted",
        )
        return RedirectResponse(f"/envois/{sub.submission_id}", status_code=303)


def _refusal(partner: str, references: dict, period_code: str):
    """The French refusal for a posted action the form does not offer ``partner``."""

    def message(code: str) -> str:
        reference = references.get(code)
        if reference is None:
            why = f"l'action {code} n'existe dans aucun schéma"
        elif not reference.may_report(partner):
            why = f"vous ne pouvez pas rendre compte de l'action {code} : {reference.who_may()}"
        else:
            why = f"l'action {code} ne court pas pendant la période {period_code}"
        return f"Envoi refusé : {why}. Rien n'a été enregistré."

    return message
