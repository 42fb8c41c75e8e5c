"""The fake's request budget: a limit per rolling hour, as App Store Connect documents it.

Apple: "The time frame is a rolling hour. At any moment, the `user-hour-rem` value is your
per-hour limit, minus the total requests you've made in the previous 60 minutes." The fake
keeps one budget for all keys, and a request refused with 429 does not spend it.
"""

from __future__ import annotations

import bisect

__all__ = ["HOUR_SECONDS", "RollingHourBudget"]

HOUR_SECONDS = 3600.0


class RollingHourBudget:
    """Counts accepted requests over the last hour of the fake's clock (not thread-safe:
    the fake calls it under its own lock)."""

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit must be a positive int")
        self.limit = limit
        # Times of accepted requests, ascending; entries before `_head` have aged out.
        self._times: list[float] = []
        self._head = 0

    def _prune(self, now: float) -> None:
        # A request made at t counts while t > now - 1 h.
        self._head = bisect.bisect_right(self._times, now - HOUR_SECONDS, lo=self._head)
        if self._head > 1024 and self._head * 2 > len(self._times):
            del self._times[: self._head]
            self._head = 0

    def remaining(self, now: float) -> int:
        self._prune(now)
        return self.limit - (len(self._times) - self._head)

    def take(self, now: float) -> bool:
        """Spend one request at `now`; False (nothing spent) when the hour's budget is gone."""
        if self.remaining(now) <= 0:
            return False
        bisect.insort(self._times, now, lo=self._head)
        return True
