"""The clock jobs read: the client's time, jitter source and hourly budget."""

from __future__ import annotations

import datetime
import random as _random
import time
from collections.abc import Callable

import attrs

from .._budget import RateBudget

__all__ = ["JobClock"]


@attrs.frozen
class JobClock:
    """The client's clock, jitter source and budget, for jobs that wait or plan."""

    now: Callable[[], float] = time.time
    random: Callable[[], float] = _random.random
    budget: RateBudget | None = None

    def utcnow(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.now(), tz=datetime.UTC)
