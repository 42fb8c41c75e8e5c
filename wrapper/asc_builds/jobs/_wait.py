"""Waiting for a build to finish processing: the schedule and the decisions, for both clients.

`ProcessingWait` is plain state: it is told what each poll saw and answers with the build
(processed), an error (processing failed, or the time is up) or how long to wait before the
next poll. `poll_until_processed` only loops: look the build up, observe, sleep.

Polls start `initial` seconds apart and grow by `factor` up to `maximum`, each moved by a
random fraction of at most `jitter` either way, so that parallel jobs do not poll in step
while the average interval stays the nominal one. Apple takes minutes to process a build:
the default schedule (15 s, 30 s, then a minute, each within 10%) polls about as often as a
flat minute would (5, 13 and 33 polls for builds processed in 2, 10 and 30 minutes, against
3, 11 and 31) and sees a build at most 66 s after it became VALID, while a wait for a build
already done or nearly done still ends soon. They are never closer
than the hourly request budget allows: with few requests left the interval stretches to
spread them over the hour, and every poll is paced by the client's `RateBudget` as well.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import attrs

from .._budget import BudgetStatus
from .._exceptions import (
    APIConnectionError,
    AppStoreConnectError,
    BudgetExhaustedError,
    InvalidInputError,
    RateLimitError,
    ServerError,
)
from .._steps import Sleep, Steps, within

__all__ = [
    "FAILED_STATES",
    "PROCESSED_STATE",
    "TRANSIENT_ERRORS",
    "PollSchedule",
    "ProcessingFailedError",
    "ProcessingWait",
    "WaitProgress",
    "WaitTimeoutError",
    "poll_until_processed",
]

PROCESSED_STATE = "VALID"
# A poll that fails with one of these is missed, not the end of the wait: a 5xx, a 429, a
# dropped or timed-out connection, or a budget wait longer than the time left.
TRANSIENT_ERRORS = (ServerError, RateLimitError, APIConnectionError, BudgetExhaustedError)
FAILED_STATES = frozenset({"FAILED", "INVALID"})


class PolledBuild(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def processing_state(self) -> str | None: ...


class ProcessingFailedError(AppStoreConnectError):
    """The build finished processing as `FAILED` or `INVALID`: it will never be usable."""

    def __init__(self, message: str, *, build_id: str, state: str) -> None:
        super().__init__(message)
        self.build_id = build_id
        self.state = state


class WaitTimeoutError(AppStoreConnectError):
    """The build was not processed within the timeout.

    `last_state` is the processing state the last poll saw (None: the build was never
    listed, or Apple had not set a state yet); `waited` is in seconds; `build_id` is None
    when the build was never found.
    """

    def __init__(
        self,
        message: str,
        *,
        build_id: str | None,
        last_state: str | None,
        waited: float,
        polls: int,
    ) -> None:
        super().__init__(message)
        self.build_id = build_id
        self.last_state = last_state
        self.waited = waited
        self.polls = polls


@attrs.frozen
class WaitProgress:
    """What one poll saw: given to the progress callback after every poll.

    `found` is false while the build is not listed yet; `state` is its processing state
    (None before Apple sets one); `changed` is true on the first poll and whenever the
    state (or being found) differs from the poll before.
    """

    build_id: str | None
    found: bool
    state: str | None
    changed: bool
    polls: int
    waited: float


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidInputError(f"{name} must be a positive number of seconds; got {value!r}")
    return float(value)


@attrs.frozen
class PollSchedule:
    """Seconds between polls: `initial`, times `factor` each poll, at most `maximum`, each
    moved by a random fraction of up to `jitter` either way (the average is the nominal
    interval; the longest is `maximum * (1 + jitter)`)."""

    initial: float = 15.0
    factor: float = 2.0
    maximum: float = 60.0
    jitter: float = 0.1

    def __attrs_post_init__(self) -> None:
        _positive("initial", self.initial)
        _positive("maximum", self.maximum)
        if not isinstance(self.factor, (int, float)) or self.factor < 1:
            raise InvalidInputError(f"factor must be at least 1; got {self.factor!r}")
        if not isinstance(self.jitter, (int, float)) or not 0 <= self.jitter < 1:
            raise InvalidInputError(f"jitter must be within [0, 1); got {self.jitter!r}")

    def interval(self, polls: int, random: float) -> float:
        """The wait after poll number `polls` (1 for the first), `random` in [0, 1): 0.5
        gives the nominal interval."""
        base = min(self.maximum, self.initial * self.factor ** max(0, polls - 1))
        return float(base * (1 + self.jitter * (2 * random - 1)))


OnProgress = Callable[[WaitProgress], None]


class ProcessingWait:
    """The decisions of one wait; see the module docstring."""

    def __init__(
        self,
        *,
        timeout: float,
        schedule: PollSchedule,
        now: Callable[[], float],
        random: Callable[[], float] = _random.random,
        budget: Callable[[], BudgetStatus] | None = None,
        budget_window: float = 3600.0,
        on_progress: OnProgress | None = None,
        describe: str = "the build",
    ) -> None:
        self.timeout = _positive("timeout", timeout)
        if not isinstance(schedule, PollSchedule):
            raise InvalidInputError("schedule must be a PollSchedule")
        self._schedule = schedule
        self._now = now
        self._random = random
        self._budget = budget
        self._budget_window = budget_window
        self._on_progress = on_progress
        self._describe = describe
        self._started = now()
        self.polls = 0
        self._found = False
        self._ever_found = False
        self._build_id: str | None = None
        self._state: str | None = None
        # The error of the last poll when it failed for a passing reason (a 5xx, a 429,
        # a dropped connection), and the Retry-After it asked for.
        self._missed: AppStoreConnectError | None = None
        self._retry_after: float | None = None

    @property
    def waited(self) -> float:
        return self._now() - self._started

    def time_left(self) -> float:
        """Seconds until the timeout; every poll's call must be over by then."""
        return max(0.0, self.timeout - self.waited)

    def observe(self, build: PolledBuild | None) -> bool:
        """Record one poll (`build` None: not listed yet). True when it is processed;
        raises `ProcessingFailedError` when processing failed."""
        self.polls += 1
        self._missed = self._retry_after = None
        found = build is not None
        state = build.processing_state if build is not None else None
        changed = self.polls == 1 or found != self._found or state != self._state
        self._found, self._state = found, state
        self._ever_found = self._ever_found or found
        if build is not None:
            self._build_id = build.id
        self._report(changed)
        if state == PROCESSED_STATE:
            return True
        if state in FAILED_STATES:
            assert build is not None
            raise ProcessingFailedError(
                f"build {build.id} finished processing as {state}: App Store Connect will "
                "not make it available",
                build_id=build.id,
                state=state,
            )
        return False

    def miss(self, error: AppStoreConnectError) -> None:
        """Record a poll that failed for a passing reason (see `TRANSIENT_ERRORS`): the
        wait goes on, and the next poll waits at least as long as a 429 asked."""
        self.polls += 1
        self._missed = error
        retry_after = getattr(error, "retry_after", None)
        self._retry_after = retry_after if isinstance(retry_after, (int, float)) else None
        self._report(changed=False)

    def _report(self, changed: bool) -> None:
        if self._on_progress is not None:
            self._on_progress(
                WaitProgress(
                    build_id=self._build_id,
                    found=self._found,
                    state=self._state,
                    changed=changed,
                    polls=self.polls,
                    waited=self.waited,
                )
            )

    def _seen(self) -> str:
        if not self._found:
            seen = (
                "it was listed earlier, then missing"
                if self._ever_found
                else ("it was never listed")
            )
        elif self._state is None:
            seen = "App Store Connect had not given it a processing state yet"
        else:
            seen = f"its last processing state was {self._state}"
        if self._missed is not None:
            seen += f"; the last poll failed: {self._missed}"
        return seen

    def next_delay(self) -> float:
        """Seconds until the next poll; raises `WaitTimeoutError` when the time is up."""
        waited = self.waited
        left = self.timeout - waited
        if left <= 0:
            seen = self._seen()
            raise WaitTimeoutError(
                f"{self._describe} was not processed after {waited:.0f} s ({self.polls} "
                f"polls): {seen}",
                build_id=self._build_id,
                last_state=self._state,
                waited=waited,
                polls=self.polls,
            )
        delay = self._schedule.interval(self.polls, self._random())
        if self._retry_after is not None:
            delay = max(delay, self._retry_after)
        if self._budget is not None:
            available = self._budget().available
            if available is not None:
                # Spread what is left of the hour's budget instead of spending it at once.
                delay = max(delay, self._budget_window / max(1, available))
        # The last poll happens at the deadline, not after it.
        return min(delay, left)


B = TypeVar("B", bound=PolledBuild)


def poll_until_processed(lookup: Callable[[], Steps[B | None]], wait: ProcessingWait) -> Steps[B]:
    """Poll with `lookup` until `wait` says processed (the build is returned) or raises.

    Bounded by `wait.timeout` on its clock: each poll's calls (their retries and budget
    waits included) must end within the time left, and `next_delay` raises once it has
    passed. A poll that fails for a passing reason is a missed poll; any other error ends
    the wait.
    """
    while True:
        not_after = time.monotonic() + wait.time_left()
        try:
            build = yield from within(lookup(), not_after)
        except TRANSIENT_ERRORS as error:
            wait.miss(error)
        else:
            if wait.observe(build):
                assert build is not None
                return build
        yield Sleep(wait.next_delay())
