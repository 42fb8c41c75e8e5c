"""When to retry a request, and how long to wait first: the one place this is decided.

Replaying is safe for everything this SDK sends: `PATCH /v1/builds/{id}` sets absolute
values (`expired: true`, a declaration id), so applying the same body twice leaves the
build exactly as applying it once. That is why connection errors and timeouts, where the
server may or may not have applied the change, are retried too. Reads (GET) change nothing
and are retried the same way, through the same send loop.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable

import attrs

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    AppStoreConnectError,
    InvalidInputError,
    RateLimitError,
)

__all__ = ["DEFAULT_MAX_RETRIES", "RETRYABLE_STATUSES", "RetryPolicy"]

DEFAULT_MAX_RETRIES = 2
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter; `Retry-After` honoured up to `max_retry_after`.

    A `Retry-After` longer than the cap ends the retries at once: the hourly budget is
    spent, and waiting a few seconds would only spend another request.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    # A fraction of each backoff is randomised so parallel clients do not retry in step.
    jitter: float = 0.25
    random: Callable[[], float] = _random.random

    def __attrs_post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise InvalidInputError("max_retries must be an int")
        if self.max_retries < 0:
            raise InvalidInputError(f"max_retries must not be negative; got {self.max_retries}")

    def with_max_retries(self, max_retries: int | None) -> RetryPolicy:
        return self if max_retries is None else attrs.evolve(self, max_retries=max_retries)

    def backoff(self, retry_number: int) -> float:
        """The wait before retry `retry_number` (1 for the first retry) without a hint."""
        delay = min(self.max_delay, self.initial_delay * 2.0 ** (retry_number - 1))
        return float(delay * (1 - self.jitter * self.random()))

    def delay_before_retry(self, error: AppStoreConnectError, retry_number: int) -> float | None:
        """Seconds to wait before retry `retry_number`, or None to raise `error` now."""
        if retry_number > self.max_retries:
            return None
        if isinstance(error, RateLimitError):
            if error.retry_after is None:
                return self.backoff(retry_number)
            if error.retry_after > self.max_retry_after:
                return None
            return error.retry_after
        if isinstance(error, APIStatusError):
            if error.status_code in RETRYABLE_STATUSES:
                return self.backoff(retry_number)
            return None
        if isinstance(error, APIConnectionError):
            return self.backoff(retry_number)
        return None
