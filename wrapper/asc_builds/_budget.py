"""How fast requests may go: pacing from Apple's hourly request budget, the one place it is decided.

Apple allows a fixed number of requests per API key over a *rolling* hour and announces it
on every response: `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:N;`, where N is the limit
minus the requests made in the previous 60 minutes. A batch, a listing or a wait that
ignores it runs into a storm of 429s; this module makes every request of a client wait for
a slot instead.

The model, sound for this client's own requests and conservative about everyone else's:

- Every request this client sends is logged with the time its answer arrived (an upper
  bound of the moment Apple counted it), so its slot is surely free again one window later.
- Each answer's `user-hour-rem` gives an upper bound of the requests *others* (other jobs on
  the same key) made in the window: the limit, minus what remains, minus this client's
  requests that were surely counted already (the answered one and those answered before it
  was sent). That bound is kept until a newer answer replaces it, or until a whole window
  has passed since it was made (by then everything it counted has aged out).
- A request may go when this client's requests in the window (answered or in flight) stay
  below `limit - reserve - others`. Otherwise it waits for the next moment that changes the
  answer: one of its own slots freeing, or the last announcement going stale.
- Before the first answer that carries the header the limit is unknown, and requests go
  unpaced.

Nothing a server announces can stop the client for good. A header that makes no sense (a
limit of 0 or less, a negative count, more remaining than the limit) is ignored: that
answer is paced as if it announced nothing. A `reserve` at or above the announced limit
would leave nothing to send: `BudgetExhaustedError` says so at once. No single wait for a
slot is longer than the window (an hour), and each wait of `LONG_WAIT_SECONDS` or more is
logged as a WARNING (the command line shows it on stderr).

When the wait a request needs exceeds `max_wait`, it is not sent: `BudgetExhaustedError`
says how long the budget needs. A batch turns that into "not attempted" for the builds left,
so it stops cleanly instead of spending requests on 429s. The default `max_wait=None`
slows down as long as the budget needs (a batch of 5,000 against 3,600 an hour takes the
hour it must, and no 429).

`max_wait` counts from the moment a request asks for a slot, so the time spent queued
behind other threads or tasks counts too. `RateBudget` is plain state and arithmetic
under a lock; `pace` says when to sleep (the client's driver sleeps). Waiters queue one
at a time, so concurrent threads or tasks do not all sleep for the same slot and then wake
together. Clients on several event loops may share one budget: each loop queues its own
tasks.
"""

from __future__ import annotations

import asyncio
import bisect
import threading
import weakref
from collections.abc import Callable

import attrs

from ._exceptions import BudgetExhaustedError, InvalidInputError
from ._logging import log_budget_wait
from ._rate_limit import RateLimit
from ._steps import Queued, Sleep, Steps

__all__ = [
    "WINDOW_SECONDS",
    "BudgetStatus",
    "BudgetTicket",
    "BudgetWait",
    "RateBudget",
    "pace",
]

WINDOW_SECONDS = 3600.0
# When only requests still in flight could free a slot, look again this soon.
_IN_FLIGHT_RECHECK_SECONDS = 1.0


@attrs.frozen
class BudgetTicket:
    """Permission to send one request, handed back to `RateBudget.settle` when it ends."""

    sent_at: float
    # How many requests had been settled when this one was let go.
    settled_before: int = 0


@attrs.frozen
class BudgetWait:
    """No slot now: look again in `seconds`."""

    seconds: float


@attrs.frozen
class BudgetStatus:
    """What the budget knows at one moment, for progress reports and benchmarks."""

    limit: int | None
    # This client's estimate of what it may still send now, reserve deducted; None while
    # the limit is unknown.
    available: int | None
    in_flight: int
    waits: int
    waited_seconds: float


def _check_number(name: str, value: object, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidInputError(f"{name} must be a non-negative number; got {value!r}")


def _announced(rate_limit: RateLimit | None) -> tuple[int, int] | None:
    """The limit and what remains, when they make sense: a limit above zero and a remaining
    count within it. Anything else (a limit of 0, a negative count, more remaining than the
    limit) is a broken header, and pacing by it could stop the client for good: such an
    answer is paced as if it announced nothing."""
    if rate_limit is None:
        return None
    limit, remaining = rate_limit.limit, rate_limit.remaining
    if limit is None or remaining is None or not 0 <= remaining <= limit or limit <= 0:
        return None
    return limit, remaining


class RateBudget:
    """Paces one client's requests (or several clients' sharing one key) inside the budget.

    `reserve` requests of each hour are left unused for other jobs on the same key.
    `max_wait` caps the pacing wait before any one request (None: no cap); past it the
    request is refused with `BudgetExhaustedError` and nothing is sent. Pass the same
    instance to several clients that use one key so that they pace together.
    """

    def __init__(
        self,
        *,
        reserve: int = 0,
        max_wait: float | None = None,
        window: float = WINDOW_SECONDS,
    ) -> None:
        if isinstance(reserve, bool) or not isinstance(reserve, int) or reserve < 0:
            raise InvalidInputError(f"reserve must be a non-negative int; got {reserve!r}")
        _check_number("max_wait", max_wait, allow_none=True)
        _check_number("window", window)
        if window <= 0:
            raise InvalidInputError("window must be positive")
        self.reserve = reserve
        self.max_wait = None if max_wait is None else float(max_wait)
        self.window = float(window)
        self._lock = threading.Lock()
        # Waiters queue here, one at a time (see the module docstring).
        self.thread_waiters = threading.Lock()
        # One queue per event loop: an asyncio lock belongs to the loop that first uses it.
        self._async_waiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._limit: int | None = None
        # Answer times of this client's requests still inside the window, ascending, from
        # `_head` on (a list with a moving head keeps bisect cheap).
        self._answered: list[float] = []
        self._head = 0
        self._in_flight = 0
        self._others = 0
        self._observed_at: float | None = None
        self._settled = 0
        self._waits = 0
        self._waited = 0.0

    def __repr__(self) -> str:
        return f"RateBudget(reserve={self.reserve}, max_wait={self.max_wait}, limit={self._limit})"

    @property
    def async_waiters(self) -> asyncio.Lock:
        """The running event loop's queue (clients on several loops may share a budget)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            waiters = self._async_waiters.get(loop)
            if waiters is None:
                waiters = self._async_waiters[loop] = asyncio.Lock()
            return waiters

    # -- the arithmetic ------------------------------------------------------------------

    def try_acquire(self, now: float) -> BudgetTicket | BudgetWait:
        """A ticket to send now, or how long to wait before asking again."""
        with self._lock:
            self._prune(now)
            if self._limit is None:
                self._in_flight += 1
                return BudgetTicket(now, self._settled)
            if self.reserve >= self._limit:
                raise BudgetExhaustedError(
                    f"RateBudget(reserve={self.reserve}) keeps at least the whole hourly "
                    f"budget App Store Connect announced ({self._limit} an hour) for other "
                    "jobs: no request could ever be sent; lower the reserve",
                    wait_seconds=float("inf"),
                    limit=self._limit,
                )
            capacity = self._capacity()
            used = self._in_flight + len(self._answered) - self._head
            if used < capacity:
                self._in_flight += 1
                return BudgetTicket(now, self._settled)
            # Every slot frees within a window: no wait for one is ever longer.
            seconds = min(self._next_change(now, used - capacity + 1) - now, self.window)
            return BudgetWait(seconds)

    def settle(
        self,
        ticket: BudgetTicket,
        rate_limit: RateLimit | None,
        now: float,
        *,
        rejected: bool = False,
    ) -> None:
        """Record that the request of `ticket` ended at `now`, with the budget it announced.

        `rejected` is true for a 429: Apple may not have counted that request, so it is not
        assumed to be among the counted ones (which keeps the estimate of others high).
        A request that got no answer is settled with `rate_limit=None`: it may have been
        counted, so its slot is held for a window all the same.
        """
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            announced = _announced(rate_limit)
            if announced is not None:
                limit, remaining = announced
                self._limit = limit
                # Surely counted when this answer was made: this request (unless refused)
                # and this client's requests answered before it was sent. Requests
                # answered at the same instant may have come after; those settled since
                # this one was let go are left out to stay on the safe side.
                answered_before = (
                    bisect.bisect_right(self._answered, ticket.sent_at, lo=self._head) - self._head
                )
                since = self._settled - ticket.settled_before
                counted = max(0, answered_before - since) + (0 if rejected else 1)
                self._others = max(0, limit - remaining - counted)
                self._observed_at = now
            bisect.insort(self._answered, now, lo=self._head)
            self._settled += 1

    def check_wait(self, total_wait: float, longest: float) -> None:
        """Raise `BudgetExhaustedError` when a request would wait longer than `longest`:
        `max_wait`, or less when its caller's deadline leaves less."""
        if total_wait <= longest:
            return
        with self._lock:
            limit = self._limit
        bound = (
            f"max_wait {self.max_wait:.0f} s"
            if self.max_wait is not None and longest >= self.max_wait
            else f"the {max(0.0, longest):.0f} s its call had left"
        )
        raise BudgetExhaustedError(
            f"App Store Connect's hourly request budget ({limit} an hour) needs a wait of "
            f"{total_wait:.0f} s before the next request, more than {bound}: the request "
            "was not sent",
            wait_seconds=total_wait,
            limit=limit,
        )

    def record_wait(self, seconds: float) -> None:
        with self._lock:
            self._waits += 1
            self._waited += seconds

    def status(self, now: float) -> BudgetStatus:
        with self._lock:
            self._prune(now)
            available = None
            if self._limit is not None:
                used = self._in_flight + len(self._answered) - self._head
                available = max(0, self._capacity() - used)
            return BudgetStatus(
                limit=self._limit,
                available=available,
                in_flight=self._in_flight,
                waits=self._waits,
                waited_seconds=self._waited,
            )

    def _capacity(self) -> int:
        assert self._limit is not None
        return self._limit - self.reserve - self._others

    def _prune(self, now: float) -> None:
        # A slot frees exactly one window after the answer (Apple counts (now - 1 h, now]).
        cutoff = now - self.window
        self._head = bisect.bisect_right(self._answered, cutoff, lo=self._head)
        if self._head > 1024 and self._head * 2 > len(self._answered):
            del self._answered[: self._head]
            self._head = 0
        if self._observed_at is not None and self._observed_at <= cutoff:
            # Everything that announcement counted has aged out since.
            self._others = 0
            self._observed_at = None

    def _next_change(self, now: float, slots_needed: int) -> float:
        candidates: list[float] = []
        answered = len(self._answered) - self._head
        if slots_needed <= answered:
            candidates.append(self._answered[self._head + slots_needed - 1] + self.window)
        elif answered:
            candidates.append(self._answered[-1] + self.window)
        if self._observed_at is not None and self._others:
            candidates.append(self._observed_at + self.window)
        if not candidates:
            # Only requests in flight hold the slots: their answers change the picture.
            return now + _IN_FLIGHT_RECHECK_SECONDS
        return max(min(candidates), now + 1e-3)


def pace(
    budget: RateBudget, now: Callable[[], float], limit: float = float("inf")
) -> BudgetTicket | Queued:
    """A ticket to send now, or the effect that waits for one (and then answers with it).

    Waiters queue one at a time: the driver holds the budget's waiter lock meanwhile, for
    at most `max_wait`; the time spent in the queue counts against `max_wait` as well.
    `limit` is the longest the caller can wait (the seconds left of its deadline).
    """
    started = now()
    ticket = budget.try_acquire(started)
    if isinstance(ticket, BudgetTicket):
        return ticket
    longest = min(limit, float("inf") if budget.max_wait is None else budget.max_wait)
    steps = _wait_for_slot(budget, now, started, longest)
    return Queued(budget, steps, timeout=None if longest == float("inf") else max(0.0, longest))


def _wait_for_slot(
    budget: RateBudget, now: Callable[[], float], started: float, longest: float
) -> Steps[BudgetTicket]:
    while True:
        moment = now()
        decision = budget.try_acquire(moment)
        if isinstance(decision, BudgetTicket):
            return decision
        budget.check_wait(moment - started + decision.seconds, longest)
        log_budget_wait(decision.seconds)
        budget.record_wait(decision.seconds)
        yield Sleep(decision.seconds)
