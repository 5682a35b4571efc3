"""Where long work is, and about how long is left: ``[i/n] what (about 40 s left)``.

The estimate assumes the steps left take, on average, what the steps done took. Used by the
intake (files), the dbt build (models) and any slice-by-slice work a run logs.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Counts ``total`` steps as they finish and says where the work is."""

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic):
        self.total, self.done = total, 0
        self._clock = clock
        self._started = clock()
        self._told: float | None = None  # when ``due`` last said yes

    def step(self, what: str) -> str:
        """Mark one step finished and return its line: position, what it was, time left."""
        self.done += 1
        return f"[{self.done}/{self.total}] {what}{self._left()}"

    def due(self, every: float) -> bool:
        """Whether the step just finished deserves its line when lines are kept to one every
        ``every`` seconds: the first step, the last, and one once that much time has passed."""
        now = self._clock()
        if self.done >= self.total or self._told is None or now - self._told >= every:
            self._told = now
            return True
        return False

    def _left(self) -> str:
        remaining = self.total - self.done
        if remaining <= 0:
            return f" (done in {_duration(self._clock() - self._started)})"
        per_step = (self._clock() - self._started) / self.done
        return f" (about {_duration(per_step * remaining)} left)"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s"
