"""The sign-off pages: ``/periodes`` (each period's files and state; « revu », « Approuver »,
« déverrouiller ») and ``/avertissements`` (quality warnings, with a « justifié » form).

The data team (reviewer) sees every scheme, marks periods reviewed and unlocks them; a
committee account sees and approves the periods of its own schemes only. Each step goes
through the role check (orchestration/portal/roles.py) and then approvals.record_step, the one
writer of the approval store, with the account as actor; a refusal writes nothing.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from orchestration import approvals
from orchestration.intake.justifications import JustificationRefused, justify
from orchestration.portal.roles import COMMITTEE, SIGN_OFF_STEPS
from orchestration.portal.signoff_view import period_rows, warning_rows
from orchestration.signoff_commands import warehouse_facts

_FORM = {"max_files": 0, "max_fields": 5, "max_part_size": 4096}


class SignOffPages:
    """Handlers over the portal's shared state (app.py ``_Portal``)."""

    def __init__(self, portal):
        self.portal = portal

    def _manifests(self) -> dict[str, dict]:
        return {m["submission_id"]: m for m in self.portal.manifests()}

    def _schemes_of(self, account) -> list[str] | None:
        return list(account.schemes) if account.role == COMMITTEE else None

    async def periods(self, request: Request, error: str | None = None, status: int = 200):
        account = self.portal.require_may(request, "sign_off")
        manifests = await run_in_threadpool(self._manifests)
        rows = await run_in_threadpool(
            period_rows, self.portal.home, manifests, self._schemes_of(account)
        )
        return self.portal.render(
            request,
            "periodes.html",
            status=status,
            account=account,
            rows=rows,
            error=error,
            titles=_scheme_titles(),
        )

    async def step(self, request: Request) -> Response:
        step = request.path_params["step"]
        if step not in SIGN_OFF_STEPS:
            raise HTTPException(404)
        scheme, period = request.path_params["scheme"], request.path_params["period"]
        account = self.portal.require_may(request, step, scheme=scheme)
        form = await request.form(**_FORM)
        self.portal.check_csrf(request, form.get("csrf"))
        years, missing = await run_in_threadpool(warehouse_facts, scheme, period)
        if years is None:
            raise HTTPException(
                503, "L'entrepôt ne connaît pas encore les schémas : une actualisation est à faire."
            )
        try:
            await run_in_threadpool(
                lambda: approvals.record_step(
                    self.portal.home,
                    step,
                    scheme=scheme,
                    period=period,
                    schemes=years,
                    actor=self.portal.actor(request, account),
                    comment=str(form.get("commentaire", ""))[:1000],
                    missing=missing,
                )
            )
        except approvals.Refused as refusal:
            return await self.periods(request, error=f"Refusé : {refusal}", status=409)
        return RedirectResponse(f"/periodes#periode-{scheme}-{period}", status_code=303)

    async def warnings(self, request: Request, error: str | None = None, status: int = 200):
        account = self.portal.require_may(request, "justify")
        manifests = await run_in_threadpool(self._manifests)
        return self.portal.render(
            request,
            "avertissements.html",
            status=status,
            account=account,
            rows=warning_rows(manifests),
            error=error,
        )

    async def justify(self, request: Request) -> Response:
        account = self.portal.require_may(request, "justify")
        form = await request.form(**_FORM)
        self.portal.check_csrf(request, form.get("csrf"))
        warning = str(form.get("avertissement", ""))
        try:
            await run_in_threadpool(
                justify,
                self.portal.home,
                warning,
                str(form.get("commentaire", "")),
                self.portal.actor(request, account),
            )
        except JustificationRefused as refusal:
            return await self.warnings(request, error=str(refusal), status=400)
        return RedirectResponse("/avertissements", status_code=303)


def _scheme_titles() -> dict[str, str]:
    from orchestration import schemes as scheme_defs

    return {s.id: s.title for s in scheme_defs.load_schemes()}
