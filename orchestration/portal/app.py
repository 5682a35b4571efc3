"""The portal's web application: sign-in, what is expected, upload, receipts, history.

Every page needs a signed-in account, and each role (orchestration/portal/roles.py) reaches
only what it may do. A partner account reaches only its own partner's submissions: any other
submission answers 404, as if it did not exist, and the pages of the data team and the
committee answer 403 (audited). Every POST carries the session's CSRF token. The sign-off
pages (periods, warnings) are orchestration/portal/signoff_pages.py.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import secrets
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from models import KINDS
from orchestration import audit, calendar, vocabulary
from orchestration import schemes as scheme_defs
from orchestration.intake import receipt as receipt_texts
from orchestration.intake.store import SubmissionStore
from orchestration.intake.templates import TEMPLATES_DIR
from orchestration.portal.accounts import Account, AccountStore, portal_dir
from orchestration.portal.action_form import ActionFormPages
from orchestration.portal.expectations import partner_expectations, partner_years
from orchestration.portal.receiving import ReferenceCache, max_upload_bytes, receive_upload
from orchestration.portal.roles import RoleRefused, check
from orchestration.portal.signoff_pages import SignOffPages
from orchestration.portal.throttle import SignInLimits, SignInThrottle
from orchestration.portal.uploads import UploadRefused, read_upload
from orchestration.settings import sdsf_home

HERE = Path(__file__).resolve().parent
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_]{1,64}-[a-z_]{1,20}-[0-9a-f]{16}$")
TEMPLATE_FILES = {f"{kind}.csv" for kind in KINDS} | {"guide_colonnes.md"}


def session_key(home: Path) -> str:
    """The key that signs session cookies, created (mode 0600) on first start."""
    path = portal_dir(home) / "session.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x") as handle:
            path.chmod(0o600)
            handle.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    return path.read_text().strip()


def create_app(home: Path | None = None, *, max_bytes: int | None = None) -> Starlette:
    """The portal over the data directory ``home`` (default ``$SDSF_HOME``)."""
    home = Path(home or sdsf_home()).resolve()
    max_bytes = max_bytes or max_upload_bytes()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["date_fr"] = _date_fr
    env.filters["mo"] = lambda n: f"{n / 1e6:.1f}".replace(".", ",")
    # Every code a page shows is labelled from sources/vocabulary.yaml.
    env.globals.update(
        label=vocabulary.label, labels=vocabulary.labels, hold_message=receipt_texts.hold_message
    )
    state = _Portal(home, max_bytes, Jinja2Templates(env=env))
    action_form = ActionFormPages(state)
    sign_off = SignOffPages(state)

    @asynccontextmanager
    async def lifespan(app):
        # Load the reference data before the first upload needs it.
        await run_in_threadpool(state.cache.load)
        yield

    routes = [
        Route("/", state.index),
        Route("/connexion", state.sign_in_page, methods=["GET"]),
        Route("/connexion", state.sign_in, methods=["POST"]),
        Route("/deconnexion", state.sign_out, methods=["POST"]),
        Route("/espace", state.dashboard),
        Route("/envoi", state.upload, methods=["POST"]),
        Route("/suivi-des-actions", action_form.page, methods=["GET"]),
        Route("/suivi-des-actions", action_form.submit, methods=["POST"]),
        Route("/historique", state.history),
        Route("/envois/{submission_id}", state.receipt_page),
        Route("/envois/{submission_id}/accuse.{fmt}", state.receipt_file),
        Route("/modeles/{name}", state.template_file),
        Route("/suivi", state.overview),
        Route("/suivi/{partner}", state.partner_status),
        Route("/periodes", sign_off.periods, methods=["GET"]),
        Route("/periodes/{scheme}/{period}/{step}", sign_off.step, methods=["POST"]),
        Route("/avertissements", sign_off.warnings, methods=["GET"]),
        Route("/avertissements", sign_off.justify, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(_SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=session_key(home),
            session_cookie="sdsf_portail",
            max_age=8 * 3600,
            same_site="strict",
            https_only=False,  # served on 127.0.0.1; put TLS in front before exposing it
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: state.error_page},
    )
    app.state.portal = state
    return app


class _Portal:
    """Handlers and what they share: the data directory, accounts, cached references."""

    def __init__(self, home: Path, max_bytes: int, templates: Jinja2Templates):
        self.home = home
        self.max_bytes = max_bytes
        self.templates = templates
        self.accounts = AccountStore(home)
        self.store = SubmissionStore(home)
        self.cache = ReferenceCache(max_bytes=max_bytes)
        self.scratch = portal_dir(home) / "uploads"
        self.throttle = SignInThrottle(SignInLimits.from_environment())

    # ------------------------------------------------------------------ helpers
    def render(self, request: Request, name: str, status: int = 200, **context) -> Response:
        context.setdefault("account", self.account(request))
        context["csrf"] = _csrf_token(request)
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["cache-control"] = "no-store"
        return response

    def account(self, request: Request) -> Account | None:
        login = request.session.get("login")
        if not login:
            return None
        account = self.accounts.get(login)
        if account is None or account.generation != request.session.get("generation"):
            request.session.clear()  # rotated or removed: the old session ends
            return None
        return account

    def actor(self, request: Request, account: Account | None = None) -> audit.Actor:
        """Who acts (the account, else the login typed) and from which client address."""
        who = account.login if account is not None else request.session.get("login", "?")
        return audit.Actor(who, _client_address(request))

    def require(self, request: Request) -> Account:
        account = self.account(request)
        if account is None:
            raise HTTPException(401)
        return account

    def require_may(self, request: Request, action: str, scheme: str | None = None) -> Account:
        """The signed-in account if its role allows ``action``; else a 403 with the French
        reason, the attempt written to the audit trail."""
        account = self.require(request)
        try:
            check(
                self.home,
                account,
                action,
                self.actor(request, account),
                scheme=scheme,
                subject=request.url.path,
            )
        except RoleRefused as refusal:
            raise HTTPException(403, str(refusal)) from None
        return account

    def check_csrf(self, request: Request, token: str | None) -> None:
        expected = request.session.get("csrf")
        if not expected or not token or not hmac.compare_digest(expected, token):
            raise HTTPException(403, "Jeton de sécurité absent ou périmé : rechargez la page.")

    def partners(self) -> dict:
        return scheme_defs.load_partners()

    def expectations(self, partner, manifests: list[dict]) -> list:
        """The submission calendar's expected periods of ``partner``, as of today."""
        schemes = scheme_defs.load_schemes(partners=self.partners())
        return partner_expectations(partner, manifests, partner_years(partner, schemes))

    def manifests(self, partner: str | None = None) -> list[dict]:
        out = []
        for sub in self.store.all():
            if partner is not None and sub.partner != partner:
                continue
            out.append(sub.manifest())
        return out

    def visible_submission(self, account: Account, submission_id: str):
        """The submission if this account may see it; otherwise 404, existing or not."""
        if not SUBMISSION_ID.match(submission_id):
            raise HTTPException(404)
        path = self.store.manifests / f"{submission_id}.json"
        if not path.is_file():
            raise HTTPException(404)
        sub = self.store.get(submission_id)
        if not account.may("see_all_partners") and sub.partner != account.partner:
            raise HTTPException(404)
        return sub

    # ------------------------------------------------------------------ pages
    async def error_page(self, request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401:
            return RedirectResponse("/connexion", status_code=303)
        messages = {
            403: "Accès refusé.",
            404: "Page introuvable.",
            405: "Méthode non autorisée.",
        }
        # Starlette fills ``detail`` with the English reason phrase; only our own (French) is shown.
        own = exc.detail != HTTPStatus(exc.status_code).phrase
        message = exc.detail if own else messages.get(exc.status_code, "Erreur.")
        return self.render(
            request, "erreur.html", status=exc.status_code, code=exc.status_code, message=message
        )

    async def index(self, request: Request) -> Response:
        account = self.account(request)
        if account is None:
            return RedirectResponse("/connexion", status_code=303)
        return RedirectResponse(_home_page(account), status_code=303)

    async def sign_in_page(self, request: Request) -> Response:
        return self.render(request, "connexion.html", error=None, login="")

    async def sign_in(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        self.check_csrf(request, form.get("csrf"))
        login = str(form.get("identifiant", "")).strip()
        secret = str(form.get("mot_de_passe", ""))
        address = _client_address(request)
        known = self.accounts.get(login) if login else None
        partner = known.partner if known else None
        who = audit.Actor(login[:64] or "?", address)
        suspension = self.throttle.suspension(login, address)
        if suspension is not None:
            await run_in_threadpool(
                audit.record,
                self.home,
                "sign_in_refused",
                who,
                partner=partner,
                subject=login[:64],
                scope=suspension.scope,
                seconds_left=round(suspension.seconds),
            )
            return self.render(
                request, "connexion.html", status=429, login=login, error=suspension.message()
            )
        delay = self.throttle.delay(login, address)
        await asyncio.sleep(delay)
        account = await run_in_threadpool(self.accounts.verify, login, secret)
        if account is None:
            started = self.throttle.failed(login, address)
            await run_in_threadpool(
                audit.record,
                self.home,
                "sign_in_failed",
                who,
                partner=partner,
                subject=login[:64],
                delayed_seconds=delay,
                suspended=started.scope if started else None,
            )
            return self.render(
                request,
                "connexion.html",
                status=429 if started else 401,
                login=login,
                error=started.message() if started else "Identifiant ou mot de passe incorrect.",
            )
        self.throttle.succeeded(login)
        await run_in_threadpool(
            audit.record, self.home, "sign_in_succeeded", who, partner=partner, subject=login
        )
        request.session.clear()  # a fresh session (and CSRF token) at every sign-in
        request.session.update(login=account.login, generation=account.generation)
        return RedirectResponse("/", status_code=303)

    async def sign_out(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=5, max_part_size=4096)
        self.check_csrf(request, form.get("csrf"))
        request.session.clear()
        return RedirectResponse("/connexion", status_code=303)

    async def dashboard(self, request: Request, error: str | None = None, status: int = 200):
        account = self.require(request)
        if not account.may("upload"):
            return RedirectResponse(_home_page(account), status_code=303)
        return await self._partner_page(request, account, account.partner, error, status)

    async def _partner_page(self, request, account, code, error=None, status=200):
        partner = self.partners().get(code)
        manifests = await run_in_threadpool(self.manifests, code)
        expectations = (
            await run_in_threadpool(self.expectations, partner, manifests) if partner else []
        )
        kinds = [s.kind for s in partner.submissions] if partner else []
        return self.render(
            request,
            "espace.html",
            status=status,
            account=account,
            partner_code=code,
            partner=partner,
            expectations=expectations,
            kinds=list(dict.fromkeys(kinds)),
            # the data team reads every receipt of the partner; the partner has its history
            recent=_history_rows(manifests)[: None if account.may("see_all_partners") else 5],
            max_bytes=self.max_bytes,
            error=error,
            can_upload=account.may("upload"),
            today=calendar.as_of_date(),
        )

    async def upload(self, request: Request) -> Response:
        account = self.require_may(request, "upload")
        try:
            upload = await read_upload(request, self.scratch, self.max_bytes)
        except UploadRefused as refused:
            return await self.dashboard(request, error=refused.message, status=refused.status)
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            self.check_csrf(request, upload.fields.get("csrf"))
            kind = upload.fields.get("type", "")
            if kind not in KINDS:
                return await self.dashboard(
                    request, error="Choisissez le type de fichier envoyé.", status=400
                )
            if upload.file_path is None or upload.size == 0:
                return await self.dashboard(
                    request, error="Aucun fichier reçu : choisissez un fichier CSV.", status=400
                )
            data = upload.file_path.read_bytes()
            sub, _, _ = await run_in_threadpool(
                receive_upload,
                self.home,
                data,
                partner=account.partner,
                kind=kind,
                file_name=upload.file_name,
                cache=self.cache,
                actor=self.actor(request, account),
            )
        finally:
            upload.discard()
        return RedirectResponse(f"/envois/{sub.submission_id}", status_code=303)

    async def receipt_page(self, request: Request) -> Response:
        account = self.require(request)
        sub = self.visible_submission(account, request.path_params["submission_id"])
        manifest = sub.manifest()
        receipt = manifest.get("receipt")
        if receipt is None:  # stored, receipt not written yet (a crash in between)
            record_path = self.store.receipts / sub.partner / f"{sub.submission_id}.json"
            if record_path.is_file():
                receipt = json.loads(record_path.read_text(encoding="utf-8"))
        return self.render(request, "accuse.html", sub=sub, manifest=manifest, receipt=receipt)

    async def receipt_file(self, request: Request) -> Response:
        account = self.require(request)
        fmt = request.path_params["fmt"]
        if fmt not in ("txt", "json"):
            raise HTTPException(404)
        sub = self.visible_submission(account, request.path_params["submission_id"])
        path = self.store.receipts / sub.partner / f"{sub.submission_id}.{fmt}"
        if not path.is_file():
            raise HTTPException(404)
        media = "application/json" if fmt == "json" else "text/plain; charset=utf-8"
        return FileResponse(
            path,
            media_type=media,
            filename=f"accuse-{sub.submission_id}.{fmt}",
            headers={"cache-control": "no-store"},
        )

    async def template_file(self, request: Request) -> Response:
        self.require(request)
        name = request.path_params["name"]
        if name not in TEMPLATE_FILES:
            raise HTTPException(404)
        media = "text/csv; charset=utf-8" if name.endswith(".csv") else "text/markdown"
        return FileResponse(TEMPLATES_DIR / name, media_type=media, filename=name)

    async def history(self, request: Request) -> Response:
        account = self.require(request)
        if not account.may("upload"):
            return RedirectResponse(_home_page(account), status_code=303)
        manifests = await run_in_threadpool(self.manifests, account.partner)
        return self.render(
            request,
            "historique.html",
            partner_code=account.partner,
            rows=_history_rows(manifests),
        )

    async def overview(self, request: Request) -> Response:
        self.require_may(request, "see_all_partners")
        manifests = await run_in_threadpool(self.manifests)
        rows = []
        for code, partner in self.partners().items():
            if not partner.submissions:
                continue
            items = await run_in_threadpool(self.expectations, partner, manifests)
            own = [m for m in manifests if m.get("partner") == code]
            rows.append(
                {
                    "code": code,
                    "name": partner.name,
                    "expected": len(items),
                    "on_time": sum(e.status == calendar.ON_TIME for e in items),
                    "late": sum(e.status == calendar.LATE for e in items),
                    "missing": sum(e.status == calendar.MISSING for e in items),
                    "pending": sum(e.status == calendar.PENDING for e in items),
                    "refused": sum(e.to_correct for e in items),
                    "last": max((m["received_at"] for m in own), default=None),
                    "count": len(own),
                }
            )
        return self.render(request, "suivi.html", rows=rows, today=calendar.as_of_date())

    async def partner_status(self, request: Request) -> Response:
        account = self.require_may(request, "see_all_partners")
        code = request.path_params["partner"]
        if code not in self.partners():
            raise HTTPException(404)
        return await self._partner_page(request, account, code)


def _history_rows(manifests: list[dict]) -> list[dict]:
    """Submissions newest first; an accepted file is superseded for the periods a later
    accepted file of the same kind covers (both stay archived)."""
    ordered = sorted(manifests, key=lambda m: m["received_at"])
    rows = []
    for i, m in enumerate(ordered):
        later = [
            n
            for n in ordered[i + 1 :]
            if n.get("kind") == m.get("kind") and n.get("status") == "acceptee"
        ]
        covered = {p for n in later for p in n.get("periods", [])}
        periods = m.get("periods") or []
        replaced = m.get("status") == "acceptee" and periods and set(periods) <= covered
        receipt = m.get("receipt") or {}
        rows.append(
            {
                **m,
                "periods": periods,
                "rows": receipt.get("rows"),
                "errors": len(receipt.get("errors", [])),
                "warnings": len(receipt.get("warnings", [])),
                "replaced": bool(replaced),
                "partly_replaced": sorted(set(periods) & covered) if not replaced else [],
            }
        )
    return rows[::-1]


def _home_page(account: Account) -> str:
    """Where an account lands: its files, every partner's, or the periods to approve."""
    if account.may("upload"):
        return "/espace"
    return "/suivi" if account.may("see_all_partners") else "/periodes"


def _client_address(request: Request) -> str:
    """The peer's address (a proxy in front would need its forwarded header trusted here)."""
    return request.client.host if request.client else "inconnue"


def _csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def _date_fr(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        # ISO timestamps from manifests (UTC): day and minute are enough for a partner
        return f"{value[8:10]}/{value[5:7]}/{value[:4]} {value[11:16]} UTC"
    return value.strftime("%d/%m/%Y")


class _SecurityHeaders:
    """Headers that keep pages from being framed, sniffed or loading anything from elsewhere."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (
            b"content-security-policy",
            b"default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)
