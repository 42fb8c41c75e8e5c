"""A hand-driven clock so tests can move the fake's time without sleeping."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._budget import RateBudget

__all__ = ["ManualClock"]

# How long (real time) `sleep_when_idle` waits for requests in flight to finish.
_IDLE_WAIT_LIMIT_SECONDS = 30.0


class ManualClock:
    """Seconds since the epoch that only move when told to.

    Pass ``clock=c.now, sleep=c.sleep, async_sleep=c.async_sleep`` to
    ``FakeAppStoreConnect`` and injected delays advance this clock instead of
    blocking.
    """

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def sleep_when_idle(self, budget: RateBudget) -> Callable[[float], None]:
        """A `sleep=` for a threaded client: moves this clock only while no request is in flight.

        A real hour never passes while a request is on the wire. On a manual clock a thread
        that waits for the hourly budget would otherwise jump the clock between another
        thread's answer and the budget's bookkeeping of it, and that answer would look an
        hour old: the budget then (rightly, for so slow an answer) holds back a second hour.
        """

        def sleep(seconds: float) -> None:
            deadline = time.monotonic() + _IDLE_WAIT_LIMIT_SECONDS
            while budget.status(self.now()).in_flight and time.monotonic() < deadline:
                time.sleep(0.001)
            self.sleep(seconds)

        return sleep
