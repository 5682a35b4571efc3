"""Portal accounts: a login per partner, reviewer or committee; secrets kept as scrypt hashes.

Stored in ``$SDSF_HOME/portal/accounts.json``. Every change is written to a temporary file and
renamed into place under an exclusive lock, so the CLI and a running portal never see half a
file. Rotating a secret bumps the account's generation, which ends its open sessions. What a
role may do is orchestration/portal/roles.py; accounts stored with the former role ``engineer``
are read, and written back on the next change, as ``reviewer``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration import audit
from orchestration.intake.store import atomic_write
from orchestration.portal import roles

ROLES = roles.ROLES
# scrypt cost: about 50 ms and 16 MB per check on this kind of machine, enough to make guessing
# a 24-character random secret hopeless without slowing a sign-in down.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_LOGIN = re.compile(r"^[A-Za-z0-9_]{2,64}$")


class AccountError(ValueError):
    """A request on the accounts that cannot be honoured (unknown login, duplicate...)."""


@dataclass(frozen=True)
class Account:
    """What the portal knows about a signed-in user."""

    login: str
    role: str
    partner: str | None  # the partner whose files the account reads and writes (partners only)
    generation: int
    created_at: str
    rotated_at: str | None = None
    schemes: tuple[str, ...] = ()  # the schemes a committee account approves

    def may(self, action: str) -> bool:
        """Whether this account's role allows ``action`` (orchestration/portal/roles.py)."""
        return roles.may(self.role, action)

    @property
    def signs_off(self) -> bool:
        return roles.signs_off(self.role)


def portal_dir(home: Path) -> Path:
    return Path(home) / "portal"


def _hash(secret: str, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=params["n"], r=params["r"], p=params["p"], dklen=32
    )


class AccountStore:
    """Create, rotate, list and check portal accounts under a data directory."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = portal_dir(home) / "accounts.json"
        self._lock_path = portal_dir(home) / ".accounts.lock"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self._read()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict:
        if not self.path.exists():
            return {"accounts": {}}
        doc = json.loads(self.path.read_text(encoding="utf-8"))
        for record in doc["accounts"].values():
            record["role"] = roles.current_role(record["role"])
        return doc

    def _write(self, doc: dict) -> None:
        data = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        atomic_write(self.path, data)
        self.path.chmod(0o600)

    def create(
        self,
        login: str,
        *,
        role: str,
        partner: str | None = None,
        schemes: tuple[str, ...] = (),
        actor: audit.Actor | None = None,
    ) -> str:
        """Add an account and return its new secret (shown once, never stored in clear); the
        audit trail records who did it (``actor``, default this process's user). A partner
        account names its partner, a committee account the schemes it approves."""
        if not _LOGIN.match(login):
            raise AccountError(f"login {login!r}: 2-64 letters, digits or underscores expected")
        role = roles.current_role(role)
        if role not in ROLES:
            raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if role == roles.PARTNER and not partner:
            raise AccountError("a partner account needs its partner code")
        if role == roles.COMMITTEE and not schemes:
            raise AccountError("a committee account needs the scheme(s) it approves")
        if role != roles.COMMITTEE and schemes:
            raise AccountError("only a committee account names schemes")
        with self._locked() as doc:
            if login in doc["accounts"]:
                raise AccountError(f"account {login!r} exists already: rotate its secret instead")
            secret = secrets.token_urlsafe(18)
            doc["accounts"][login] = {
                "role": role,
                "partner": partner if role == roles.PARTNER else None,
                "schemes": sorted(set(schemes)),
                "generation": 1,
                "created_at": _now(),
                "rotated_at": None,
                **_credential(secret),
            }
            self._write(doc)
            audit.record(
                self.home,
                "account_created",
                actor or audit.local_actor(),
                partner=partner if role == roles.PARTNER else None,
                subject=login,
                role=role,
                **({"schemes": sorted(set(schemes))} if schemes else {}),
            )
        return secret

    def rotate(self, login: str, actor: audit.Actor | None = None) -> str:
        """Give an account a new secret; sessions opened with the old one end. Audited."""
        with self._locked() as doc:
            record = doc["accounts"].get(login)
            if record is None:
                raise AccountError(f"no account {login!r}")
            secret = secrets.token_urlsafe(18)
            record.update(_credential(secret))
            record["generation"] += 1
            record["rotated_at"] = _now()
            self._write(doc)
            audit.record(
                self.home,
                "account_rotated",
                actor or audit.local_actor(),
                partner=record["partner"],
                subject=login,
                generation=record["generation"],
            )
        return secret

    def list(self) -> list[Account]:
        return [_account(login, r) for login, r in sorted(self._read()["accounts"].items())]

    def get(self, login: str) -> Account | None:
        record = self._read()["accounts"].get(login)
        return _account(login, record) if record else None

    def verify(self, login: str, secret: str) -> Account | None:
        """The account when the secret is right, else None (same work either way)."""
        record = self._read()["accounts"].get(login)
        if record is None:
            # Hash anyway so that response time does not tell which logins exist.
            _hash(secret, b"\0" * 16, _SCRYPT)
            return None
        candidate = _hash(secret, bytes.fromhex(record["salt"]), record["scrypt"])
        if not hmac.compare_digest(candidate, bytes.fromhex(record["hash"])):
            return None
        return _account(login, record)


def _credential(secret: str) -> dict:
    salt = secrets.token_bytes(16)
    return {"salt": salt.hex(), "scrypt": dict(_SCRYPT), "hash": _hash(secret, salt, _SCRYPT).hex()}


def _account(login: str, record: dict) -> Account:
    fields = {k: record.get(k) for k in ("role", "partner", "generation", "created_at")}
    fields["role"] = roles.current_role(fields["role"])
    schemes = tuple(record.get("schemes") or ())
    return Account(login=login, rotated_at=record.get("rotated_at"), schemes=schemes, **fields)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def account_rows(accounts: list[Account]) -> list[dict]:
    """Accounts as plain dictionaries (for `sdsf portal-account list`); never the hashes."""
    return [asdict(a) for a in accounts]
