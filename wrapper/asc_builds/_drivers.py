"""The two drivers: they perform the effects operations yield (see `_steps`), and nothing else.

Everything the SDK decides is written once, in generators; what truly differs between the
sync and the asyncio client lives here, side by side:

- one attempt: a socket deadline (`_deadline_backend`) against `asyncio.timeout`;
- a wait: `time.sleep`, cut short by an interrupted sync batch, against `asyncio.sleep`;
- the budget's waiter queue: a thread lock against an asyncio lock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from ._base_client import ClientCore
from ._body import BodyTooLarge, BodyUndecodable
from ._deadline import ATTEMPT_DEADLINE
from ._exceptions import APIConnectionError, BudgetExhaustedError
from ._interrupt import BATCH_STOP, NotSent
from ._steps import START, Answer, Attempt, Call, Effect, Finished, Queued, Sleep, Steps, advance

__all__ = ["AsyncDriver", "SendSteps", "SyncDriver"]

R = TypeVar("R")
# What a `Call` runs: the client's send loop (`_send.send_steps`) for one operation.
SendSteps = Callable[[Mapping[str, Any], int | None, float | None], Steps[httpx.Response]]
_BodyProblem = (BodyTooLarge, BodyUndecodable)


def _answer(
    response: httpx.Response,
    content: bytes | None,
    started: float,
    unread: BodyTooLarge | BodyUndecodable | None,
) -> Answer:
    if unread is None:
        return Answer(response, content, started)
    return Answer(response, None, started, str(unread), isinstance(unread, BodyTooLarge))


def _queued_too_long(effect: Queued) -> BudgetExhaustedError:
    return BudgetExhaustedError(
        f"other requests waited for App Store Connect's hourly request budget for longer "
        f"than max_wait {effect.timeout:.0f} s: the request was not sent",
        wait_seconds=float(effect.timeout or 0.0),
        limit=None,
    )


class SyncDriver:
    """Performs effects with blocking I/O, for `AppStoreConnect`."""

    def __init__(
        self,
        core: ClientCore,
        http: httpx.Client,
        send: SendSteps,
        sleep: Callable[[float], None],
    ) -> None:
        self.core = core
        self.http = http
        self._send = send
        self._sleep = sleep

    def run(self, steps: Steps[R]) -> R:
        """Drive `steps` to their result; an effect's error is raised into them."""
        outcome = START
        while not isinstance(effect := advance(steps, outcome), Finished):
            try:
                outcome = (self._perform(effect), None)
            except BaseException as raised:
                outcome = (None, raised)
        result: R = effect.value
        return result

    def _perform(self, effect: Effect) -> Any:
        if type(effect) is Attempt:
            return self._attempt(effect.request, effect.deadline)
        if type(effect) is Call:
            return self.run(self._send(effect.operation, effect.max_retries, effect.not_after))
        if type(effect) is Sleep:
            return self._wait(effect.seconds)
        if type(effect) is Queued:
            waiters = effect.queue.thread_waiters
            if not waiters.acquire(timeout=-1 if effect.timeout is None else effect.timeout):
                raise _queued_too_long(effect)
            try:
                return self.run(effect.steps)
            finally:
                waiters.release()
        raise TypeError(f"not an effect: {effect!r}")

    def _wait(self, seconds: float) -> None:
        # A worker thread may wait long (the hourly budget, a retry); after an interrupt
        # the batch waits for its workers, so a real wait ends (NotSent) once the batch's
        # stop event is set. An injected `sleep` (tests) is used as given.
        stop = BATCH_STOP.get()
        if stop is None or self._sleep is not time.sleep:
            self._sleep(seconds)
        elif stop.wait(seconds):
            raise NotSent

    def _attempt(self, request: httpx.Request, deadline: float) -> Answer:
        core = self.core
        started = time.perf_counter()
        content: bytes | None = None
        unread: BodyTooLarge | BodyUndecodable | None = None
        failure: APIConnectionError | None = None
        # The socket backend reads the deadline from here (see _deadline).
        context = ATTEMPT_DEADLINE.set(deadline)
        try:
            response = self.http.send(request, auth=core.auth, stream=True, follow_redirects=False)
            try:
                reader = core.body_reader(response)
                for chunk in () if response.is_stream_consumed else response.iter_raw():
                    reader.feed(chunk)
                    if time.monotonic() >= deadline:
                        # Reached only with a caller's own transport: the SDK's sockets
                        # already fail at the deadline.
                        raise httpx.ReadTimeout("total deadline passed", request=request)
                content = reader.content()
            except _BodyProblem as problem:
                unread = problem
            finally:
                response.close()
        except httpx.TransportError as error:
            failure = core.connection_error(error, request, deadline=deadline)
        finally:
            ATTEMPT_DEADLINE.reset(context)
        if failure is not None:
            # Raised here, outside the except block: see ClientCore.connection_error.
            raise failure
        return _answer(response, content, started, unread)


class AsyncDriver:
    """Performs effects with asyncio, for `AsyncAppStoreConnect`."""

    def __init__(
        self,
        core: ClientCore,
        http: httpx.AsyncClient,
        send: SendSteps,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.core = core
        self.http = http
        self._send = send
        self._sleep = sleep

    async def run(self, steps: Steps[R]) -> R:
        """Drive `steps` to their result; an effect's error is raised into them."""
        outcome = START
        while not isinstance(effect := advance(steps, outcome), Finished):
            try:
                outcome = (await self._perform(effect), None)
            except BaseException as raised:
                outcome = (None, raised)
        result: R = effect.value
        return result

    async def _perform(self, effect: Effect) -> Any:
        if type(effect) is Attempt:
            return await self._attempt(effect.request, effect.deadline)
        if type(effect) is Call:
            steps = self._send(effect.operation, effect.max_retries, effect.not_after)
            return await self.run(steps)
        if type(effect) is Sleep:
            return await self._sleep(effect.seconds)
        if type(effect) is Queued:
            waiters = effect.queue.async_waiters
            try:
                async with asyncio.timeout(effect.timeout):
                    await waiters.acquire()
            except TimeoutError:
                raise _queued_too_long(effect) from None
            try:
                return await self.run(effect.steps)
            finally:
                waiters.release()
        raise TypeError(f"not an effect: {effect!r}")

    async def _attempt(self, request: httpx.Request, deadline: float) -> Answer:
        core = self.core
        started = time.perf_counter()
        content: bytes | None = None
        unread: BodyTooLarge | BodyUndecodable | None = None
        failure: APIConnectionError | None = None
        try:
            async with asyncio.timeout(deadline - time.monotonic()):
                response = await self.http.send(
                    request, auth=core.auth, stream=True, follow_redirects=False
                )
                try:
                    reader = core.body_reader(response)
                    if not response.is_stream_consumed:
                        async for chunk in response.aiter_raw():
                            reader.feed(chunk)
                    content = reader.content()
                except _BodyProblem as problem:
                    unread = problem
                finally:
                    await response.aclose()
        except (httpx.TransportError, TimeoutError) as error:
            failure = core.connection_error(error, request, deadline=deadline)
        if failure is not None:
            # Raised here, outside the except block: see ClientCore.connection_error.
            raise failure
        return _answer(response, content, started, unread)
