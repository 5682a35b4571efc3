"""Failed sign-ins slow the next attempts down, then suspend the login or the address a while.

Counted separately for each login typed and each client address, over a sliding window. From
``slow_after`` failures on, each answer waits ``delay`` seconds, doubled at every further
failure up to ``max_delay``; at ``refuse_after`` failures of a login (``refuse_after_address``
of an address: several partners may share one office address) sign-ins from it are refused for
``suspension`` seconds, right secret or not. Settings come from the environment (see
``SignInLimits.from_environment``); the counts live in the portal's memory, so a restart forgets
them (the audit trail keeps every attempt).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields

_ENV_PREFIX = "SDSF_SIGNIN_"
# Bounds the memory random logins can take; forgetting is safer than growing without end.
_MAX_TRACKED = 10_000


@dataclass(frozen=True)
class SignInLimits:
    """Thresholds of the sign-in throttle (seconds and counts)."""

    window: float = 900.0
    slow_after: int = 3
    delay: float = 1.0
    max_delay: float = 8.0
    refuse_after: int = 5
    refuse_after_address: int = 20
    suspension: float = 900.0

    @classmethod
    def from_environment(cls) -> SignInLimits:
        """Defaults, each overridden by ``SDSF_SIGNIN_<NAME>`` (``SDSF_SIGNIN_REFUSE_AFTER``...)."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(_ENV_PREFIX + f.name.upper())
            if raw:
                values[f.name] = type(f.default)(raw)
        return cls(**values)


@dataclass(frozen=True)
class Suspension:
    """Sign-ins refused: for a ``login`` or an ``address`` (the scope), for ``seconds`` more."""

    scope: str
    seconds: float

    def message(self) -> str:
        minutes = max(1, round(self.seconds / 60))
        whom = "ce compte" if self.scope == "login" else "votre adresse"
        return (
            f"Trop d'essais infructueux : les connexions pour {whom} sont suspendues pendant "
            f"encore {minutes} minute{'s' if minutes > 1 else ''}. Réessayez plus tard ou "
            "demandez un nouveau mot de passe à l'équipe données."
        )


class SignInThrottle:
    """Failures by login and by address, and the suspensions they led to."""

    def __init__(self, limits: SignInLimits, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.clock = clock
        self._failures: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._suspended_until: dict[tuple[str, str], float] = {}

    def _keys(self, login: str, address: str) -> list[tuple[str, str]]:
        return [("login", login), ("address", address)]

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, ()) if now - t < self.limits.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def suspension(self, login: str, address: str) -> Suspension | None:
        """The suspension in force for this login or this address, if any."""
        now = self.clock()
        for key in self._keys(login, address):
            until = self._suspended_until.get(key)
            if until is not None and until > now:
                return Suspension(key[0], until - now)
            self._suspended_until.pop(key, None)
        return None

    def delay(self, login: str, address: str) -> float:
        """How long to wait before answering this attempt (0 below ``slow_after`` failures)."""
        now = self.clock()
        count = max(len(self._recent(key, now)) for key in self._keys(login, address))
        if count < self.limits.slow_after:
            return 0.0
        return min(self.limits.max_delay, self.limits.delay * 2 ** (count - self.limits.slow_after))

    def failed(self, login: str, address: str) -> Suspension | None:
        """Count a failure; the suspension it starts, if it reaches a threshold."""
        now = self.clock()
        if len(self._failures) > _MAX_TRACKED:
            self._failures.clear()
        started = None
        for key in self._keys(login, address):
            recent = self._recent(key, now) + [now]
            self._failures[key] = recent
            limit = (
                self.limits.refuse_after if key[0] == "login" else self.limits.refuse_after_address
            )
            if len(recent) >= limit:
                self._suspended_until[key] = now + self.limits.suspension
                self._failures.pop(key, None)
                started = started or Suspension(key[0], self.limits.suspension)
        return started

    def succeeded(self, login: str) -> None:
        """A right secret clears the login's failures (not the address's)."""
        self._failures.pop(("login", login), None)
