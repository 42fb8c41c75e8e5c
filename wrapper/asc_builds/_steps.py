"""What an operation asks its driver to do: the sans-I/O effects.

Every behaviour of the SDK (the send loop, a PATCH with its convergence, a read, a page, a
wait, a plan) is written once, as a generator that yields effects and receives their
outcome, like httpx's own `Auth.auth_flow`. The sync and the async client each have one
small driver (`_drivers`) that performs the effects: only it does I/O, sleeps or locks.

- `Call(operation, max_retries, not_after)`: one API call through the client's send loop;
  the answer is the `httpx.Response` (errors are raised into the generator). `within`
  bounds every call a piece of steps makes by one deadline.
- `Attempt(request, deadline)`: one HTTP attempt, body read within the limits; the
  answer is an `Answer`. Only the send loop yields it.
- `Sleep(seconds)`: wait; in a sync batch, an interrupt cuts it short (`NotSent`).
- `Queued(queue, steps, timeout)`: run `steps` holding the budget's waiter queue, so
  that concurrent requests waiting for the hourly budget wait one at a time; a place at
  the head not reached within `timeout` seconds raises `BudgetExhaustedError`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import httpx

__all__ = [
    "START",
    "Answer",
    "AsyncRunner",
    "Attempt",
    "Call",
    "Effect",
    "Finished",
    "Outcome",
    "Queued",
    "Sleep",
    "Steps",
    "SyncRunner",
    "WaiterQueue",
    "advance",
    "within",
]

R = TypeVar("R")


class Call:
    __slots__ = ("max_retries", "not_after", "operation")

    def __init__(
        self,
        operation: Mapping[str, Any],
        max_retries: int | None,
        not_after: float | None = None,
    ) -> None:
        self.operation = operation
        self.max_retries = max_retries
        # A `time.monotonic()` moment the call must be over by, waits for the hourly
        # budget included (None: the client's `call_timeout` alone bounds it).
        self.not_after = not_after


class Attempt:
    __slots__ = ("deadline", "request")

    def __init__(self, request: httpx.Request, deadline: float) -> None:
        self.request = request
        self.deadline = deadline


class Answer:
    """A response whose body was read (`content`), or could not be (`unread` says why)."""

    __slots__ = ("content", "limit_passed", "response", "started", "unread")

    def __init__(
        self,
        response: httpx.Response,
        content: bytes | None,
        started: float,
        unread: str | None = None,
        limit_passed: bool = False,
    ) -> None:
        self.response = response
        self.content = content
        self.started = started
        self.unread = unread
        self.limit_passed = limit_passed


class Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class WaiterQueue(Protocol):
    """Where waiters queue: one lock for threads, one for asyncio tasks."""

    @property
    def thread_waiters(self) -> threading.Lock: ...

    @property
    def async_waiters(self) -> asyncio.Lock: ...


class Queued:
    __slots__ = ("queue", "steps", "timeout")

    def __init__(self, queue: WaiterQueue, steps: Steps[Any], timeout: float | None) -> None:
        self.queue = queue
        self.steps = steps
        # The longest wait for a place at the head of the queue (None: no limit).
        self.timeout = timeout


Effect = Call | Attempt | Sleep | Queued
# An operation: yields effects, receives each one's outcome, returns its result.
Steps = Generator[Effect, Any, R]


class SyncRunner(Protocol):
    """What runs steps on a synchronous client (`_drivers.SyncDriver`)."""

    def run(self, steps: Steps[R]) -> R: ...


class AsyncRunner(Protocol):
    """What runs steps on an asyncio client (`_drivers.AsyncDriver`)."""

    def run(self, steps: Steps[R]) -> Awaitable[R]: ...


# What an effect came to: its value, or the error it raised (then the value is None).
Outcome = tuple[Any, BaseException | None]
START: Outcome = (None, None)


class Finished:
    """The steps are over: `value` is their result."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def advance(steps: Steps[Any], outcome: Outcome) -> Effect | Finished:
    """Hand `steps` the outcome of their last effect: their next effect, or `Finished`.

    An effect's error is raised into the steps at the point that yielded it; if they do
    not handle it, it leaves this call.
    """
    value, error = outcome
    try:
        return steps.send(value) if error is None else steps.throw(error)
    except StopIteration as stop:
        return Finished(stop.value)


def within(steps: Steps[R], not_after: float) -> Steps[R]:
    """`steps` with every call they make over by `not_after` (a `time.monotonic()` moment)."""
    outcome = START
    while not isinstance(effect := advance(steps, outcome), Finished):
        if type(effect) is Call:
            limit = not_after if effect.not_after is None else min(effect.not_after, not_after)
            effect = Call(effect.operation, effect.max_retries, limit)
        try:
            outcome = ((yield effect), None)
        except BaseException as raised:
            outcome = (None, raised)
    result: R = effect.value
    return result
