"""A real portal for the tests: `sdsf portal` in a subprocess over a temporary data directory,
with accounts created by `sdsf portal-account`, and a small cookie-keeping HTTP client."""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, SDSF, pipeline_env

# Small, so that the size tests need only a few hundred kilobytes.
MAX_BYTES = 300_000
PARTNER_A, PARTNER_B, ENGINEER = "CAF40", "CD40", "equipe_donnees"
# The sign-off portal's accounts: the data team, and the committee of the two Landes schemes.
REVIEWER, COMMITTEE = "relecture", "comite_landes"
LANDES, CHARTE, ESSONNE = (
    "landes-2016-2018",
    "charte-msa-landes-armagnac-2018-2022",
    "essonne-2016-2019",
)
PLACEMENTS_HEADER = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis;"
    "dont_enfants_handicap;dont_familles_modestes;horaires_atypiques"
)


def placements_csv(rows: int = 3, tag: str = "A", commune: str = "40192") -> bytes:
    """A valid placements file; ``tag`` makes its content (hence its submission) unique."""
    lines = [PLACEMENTS_HEADER]
    for i in range(rows):
        lines.append(f"2017;EAJE-{tag}-{i:05d};EAJE_COLLECTIF;{commune};24;31;1;7;non")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


BAD_PLACEMENTS = (
    PLACEMENTS_HEADER + "\r\n2017;EAJE-X;EAJE_COLLECTIF;99999;-3;31;1;7;non\r\n"
).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def secret_from(output: str) -> str:
    return output.strip().splitlines()[-1].rsplit(" : ", 1)[1]


@dataclass
class Portal:
    url: str
    port: int
    home: Path
    secrets: dict[str, str]
    log: Path

    def manifests(self) -> set[str]:
        folder = self.home / "store" / "manifests"
        return {p.name for p in folder.glob("*.json")} if folder.exists() else set()

    def stored_files(self) -> set[str]:
        folder = self.home / "store" / "files"
        return {p.name for p in folder.iterdir()} if folder.exists() else set()

    def scratch_files(self) -> list[Path]:
        folder = self.home / "portal" / "uploads"
        return list(folder.iterdir()) if folder.exists() else []

    def client(self, login: str | None = None) -> Client:
        client = Client(self.url)
        if login:
            response = client.sign_in(login, self.secrets[login])
            assert response.status == 303, response.status
        return client


def create_account(env: dict, *args: str) -> str:
    """`sdsf portal-account` with ``args`` (create/rotate ...); the secret it prints."""
    result = subprocess.run(
        [str(SDSF), "portal-account", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return secret_from(result.stdout)


@contextlib.contextmanager
def running_portal(home: Path, env: dict, accounts: dict[str, list[str]]) -> Iterator[Portal]:
    """`sdsf portal` over ``home``, with ``accounts`` (login -> `portal-account` arguments)
    created at once (the account file's lock must keep them all)."""
    with ThreadPoolExecutor(len(accounts)) as pool:
        done = {login: pool.submit(create_account, env, *args) for login, args in accounts.items()}
    secrets = {login: f.result() for login, f in done.items()}
    port = free_port()
    log = home / "portal.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(SDSF), "portal", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/connexion", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the portal did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.3)
        yield Portal(url, port, home, secrets, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[Portal]:
    home = tmp_path_factory.mktemp("portal-home")
    env = pipeline_env(home)
    env["SDSF_PORTAL_MAX_BYTES"] = str(MAX_BYTES)
    accounts = {
        PARTNER_A: ["create", "--partner", PARTNER_A],
        PARTNER_B: ["create", "--partner", PARTNER_B],
        ENGINEER: ["create", "--partner", ENGINEER, "--engineer"],
    }
    with running_portal(home, env, accounts) as running:
        yield running


def quality_warning_placements() -> bytes:
    """A valid placements file of 2017 whose one structure has 8 children a place: the
    ``enfants_par_place`` quality rule warns (sources/quality_rules.yaml)."""
    line = "2017;EAJE-QUALITE-1;EAJE_COLLECTIF;40192;5;40;1;7;non"
    return (PLACEMENTS_HEADER + "\r\n" + line + "\r\n").encode()


@pytest.fixture(scope="session")
def signoff_portal(tmp_path_factory) -> Iterator[Portal]:
    """A portal over a warehouse the real assets wrote (schemes, geography, CAF40's 2017
    placements with a quality warning, the calendar), with an account of each role."""
    from tests.portal.signoff_warehouse import refresh_warehouse

    home = tmp_path_factory.mktemp("signoff-home")
    env = pipeline_env(home)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SDSF_HOME", "SDSF_WAREHOUSE", "DAGSTER_HOME"):
            patch.setenv(name, env[name])
        refresh_warehouse(home, [(PARTNER_A, "placements", quality_warning_placements())])
    accounts = {
        PARTNER_A: ["create", "--partner", PARTNER_A],
        REVIEWER: ["create", "--login", REVIEWER, "--role", "reviewer"],
        COMMITTEE: ["create", "--login", COMMITTEE, "--role", "committee"]
        + ["--scheme", LANDES, "--scheme", CHARTE],
        ENGINEER: ["create", "--partner", ENGINEER, "--engineer"],
    }
    with running_portal(home, env, accounts) as running:
        yield running


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


@dataclass
class Client:
    """A browser-like client: keeps cookies, never follows redirects, never raises on 4xx."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with opener.open(request, timeout=60) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def get(self, path: str) -> Response:
        return self.request(path)

    def csrf(self, path: str = "/connexion") -> str:
        match = re.search(r'name="csrf" value="([^"]+)"', self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match[1]

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        body = urllib.parse.urlencode(fields).encode()
        return self.request(path, body, {"content-type": "application/x-www-form-urlencoded"})

    def sign_in(self, login: str, secret: str) -> Response:
        token = self.csrf("/connexion")
        return self.post_form(
            "/connexion", {"csrf": token, "identifiant": login, "mot_de_passe": secret}
        )

    def upload(
        self,
        data: bytes,
        *,
        kind: str = "placements",
        file_name: str = "envoi.csv",
        csrf: str | None = "auto",
    ) -> Response:
        fields = {"type": kind}
        if csrf == "auto":
            csrf = self.csrf("/espace")
        if csrf is not None:
            fields = {"csrf": csrf, **fields}
        body, content_type = multipart(fields, ("fichier", file_name, data))
        return self.request("/envoi", body, {"content-type": content_type})


def multipart(fields: dict[str, str], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    name, file_name, data = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def open_action_form(page, portal: Portal, login: str, year: str) -> None:
    """In a playwright page: sign in to the portal as ``login`` and open the action-report
    form on ``year``."""
    from playwright.sync_api import expect

    page.goto(portal.url)
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(portal.secrets[login])
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="remplir le suivi des actions").click()
    expect(page.get_by_role("heading", name="Suivi des actions")).to_be_visible()
    page.get_by_label("Année du suivi").select_option(year)
    page.get_by_role("button", name="Afficher cette année").click()
