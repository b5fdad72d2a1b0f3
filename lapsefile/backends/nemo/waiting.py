"""Bounded waits that say what they wait for.

Every wait on the service (an agent's edit, a render, a rate limit) has a cap. While it lasts,
heartbeats keep a progress line alive and, every ``notice_every`` seconds, a message says what
is awaited and for how long at most; on expiry the caller stops with a clear error, and because
everything sent is in the lock, the next run resumes the wait instead of sending again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ...events import Emit, Event

NOTICE_EVERY = 30.0  # seconds between "still waiting for ..." lines


def duration_text(seconds: float) -> str:
    """75 -> "1 min 15 s", 300 -> "5 min", 4.2 -> "4 s"."""
    seconds = max(0, round(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


class Deadline:
    """A cap on one wait, and the notices shown while it runs."""

    def __init__(self, what: str, limit: float, emit: Emit, step: str | None, *,
                 notice_every: float = NOTICE_EVERY,
                 clock: Callable[[], float] = time.monotonic):
        self.what, self.limit = what, limit
        self._emit, self._step, self._clock = emit, step, clock
        self._every = notice_every
        self.started = clock()
        self._next_notice = self.started + notice_every

    @property
    def elapsed(self) -> float:
        return self._clock() - self.started

    @property
    def expired(self) -> bool:
        return self.elapsed >= self.limit

    def remaining(self) -> float:
        return max(0.0, self.limit - self.elapsed)

    def tick(self) -> None:
        """A heartbeat naming the wait; every ``notice_every`` seconds a line for the log."""
        now = self._clock()
        self._emit(Event("heartbeat", self._step, {"elapsed": round(now - self.started, 1),
                                                   "text": f"waiting for {self.what}"}))
        if now >= self._next_notice:
            self._next_notice = now + self._every
            self._emit(Event("message", self._step, {"source": "lapsefile", "text": (
                f"still waiting for {self.what}: {duration_text(now - self.started)} so far, "
                f"at most {duration_text(self.limit)}")}))

    def sleep(self, seconds: float, sleep: Callable[[float], None]) -> None:
        """Sleep ``seconds``, never past the cap, ticking at least every ``notice_every``."""
        left = min(seconds, self.remaining())
        while left > 0:
            nap = min(left, self._every)
            sleep(nap)
            left -= nap
            if left > 0:
                self.tick()
