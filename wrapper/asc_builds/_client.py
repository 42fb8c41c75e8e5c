"""The clients users hold: `AppStoreConnect` (sync) and `AsyncAppStoreConnect`."""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from ._base_client import (
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    ClientCore,
)
from ._body import BodyTooLarge, BodyUndecodable
from ._budget import RateBudget, apace, pace
from ._builds import AsyncBuilds, Builds
from ._deadline import ATTEMPT_DEADLINE, install_deadline_backend
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    AppStoreConnectError,
    AuthenticationError,
    InvalidInputError,
)
from ._interrupt import BATCH_STOP, NotSent, stop_requested
from ._keys import APIKey
from ._logging import log_retry
from ._rate_limit import RateLimit
from ._retry import DEFAULT_MAX_RETRIES
from .jobs._resource import JobClock
from .resources.apps import Apps, AsyncApps
from .resources.encryption_declarations import AsyncEncryptionDeclarations, EncryptionDeclarations

__all__ = ["AppStoreConnect", "AsyncAppStoreConnect"]

_RetryableError = (APIStatusError, APIConnectionError)
_BodyProblem = (BodyTooLarge, BodyUndecodable)


def _stop_if_asked(last_error: AppStoreConnectError | None) -> None:
    """In an interrupted batch, start nothing new: not the first attempt, not a retry."""
    if stop_requested():
        if last_error is not None:
            raise last_error
        raise NotSent


def _check_http_options(transport: object, http_client: object) -> None:
    if transport is not None and http_client is not None:
        raise InvalidInputError("pass transport= or http_client=, not both")


class AppStoreConnect:
    """A synchronous App Store Connect client; safe to share between threads.

    Everything is done through its three resources:

    - `.builds`: read, find, list, wait for and change builds (expire, encryption,
      declaration), and expire many at once (`Builds`).
    - `.apps`: find an app by its bundle id (`Apps`).
    - `.encryption_declarations`: read an app encryption declaration (`EncryptionDeclarations`).

    `key` signs every request. `base_url` defaults to Apple's host (the enterprise host for
    an enterprise key). Pass `transport=` (an httpx transport) or `http_client=` (an
    `httpx.Client` you own and close) to control the connection, for example in tests.
    `scope` limits every token to the listed `"METHOD /path"` operations. `now`, `sleep` and
    `random` are the clock, the wait between retries and the jitter source. `budget` paces
    every request inside Apple's hourly budget (a fresh `RateBudget()` by default; share one
    between clients that use the same key).


    Limits, whatever the server does: `attempt_timeout` seconds for one attempt (connect,
    headers and the whole body), `call_timeout` seconds for a call with its retries and
    waits (`APITimeoutError` after either), and `max_response_bytes` for a body, counted
    after decompression (`ResponseTooLargeError` for a 2xx; an error status keeps its own
    error). `timeout` is httpx's, per socket operation.
    """

    def __init__(
        self,
        key: APIKey,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        scope: Sequence[str] | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        attempt_timeout: float = DEFAULT_ATTEMPT_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        budget: RateBudget | None = None,
    ) -> None:
        _check_http_options(transport, http_client)
        self._core = ClientCore(
            key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            scope=scope,
            now=now,
            random=random,
            attempt_timeout=attempt_timeout,
            call_timeout=call_timeout,
            max_response_bytes=max_response_bytes,
            budget=budget,
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, timeout=self._core.timeout)
        # Bounds every socket operation by the attempt's deadline (see _deadline); without
        # it, a trickled header would only be bounded by httpx's per-read timeout.
        install_deadline_backend(self._http)
        self.apps = Apps(self._send)
        self.builds = Builds(
            self._send, self.apps, JobClock(self._core.now, sleep, random, self._core.budget)
        )
        self.encryption_declarations = EncryptionDeclarations(self._send)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def last_rate_limit(self) -> RateLimit | None:
        """The `X-Rate-Limit` budget from the latest response that carried one."""
        return self._core.last_rate_limit

    def __repr__(self) -> str:
        return f"AppStoreConnect(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the connection pool, unless the caller passed its own `http_client`."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, operation: Mapping[str, Any], max_retries: int | None) -> httpx.Response:
        core = self._core
        policy = core.retry.with_max_retries(max_retries)
        call_deadline = core.call_deadline()
        retry_number = 0
        replayed_401 = False
        last_error: AppStoreConnectError | None = None
        sleep = self._batch_aware_sleep()
        while True:
            _stop_if_asked(last_error)
            request = core.build_request(self._http, operation)
            paced_from = time.monotonic()
            try:
                ticket = pace(core.budget, now=core.now, sleep=sleep)
            except NotSent:
                _stop_if_asked(last_error)
                raise
            # Waiting for the hourly budget is not the server's time: the deadline moves.
            call_deadline += time.monotonic() - paced_from
            try:
                _stop_if_asked(last_error)
                response = self._send_once(request, call_deadline)
            except AuthenticationError as error:
                core.settle(ticket, error)
                if replayed_401:
                    raise
                replayed_401, last_error = True, error
                core.replay_after_401(request)
                continue
            except _RetryableError as error:
                core.settle(ticket, error)
                last_error = error
                retry_number += 1
                delay = policy.delay_before_retry(error, retry_number)
                if delay is None or time.monotonic() + delay >= call_deadline:
                    raise
                log_retry(
                    method=request.method,
                    path=request.url.path,
                    reason=str(error),
                    delay=delay,
                    retry_number=retry_number,
                    max_retries=policy.max_retries,
                )
                try:
                    sleep(delay)
                except NotSent:
                    raise error from None
                continue
            except BaseException:
                core.settle(ticket, None)
                raise
            core.settle(ticket, response)
            return response

    def _batch_aware_sleep(self) -> Callable[[float], None]:
        """The wait between retries and for the budget; in a batch, Ctrl-C cuts it short.

        A worker thread may wait long for the hourly budget; after an interrupt the batch
        waits for its workers, so a real wait ends (raising NotSent) once the batch's stop
        event is set. An injected `sleep` (tests) is used as given.
        """
        stop = BATCH_STOP.get()
        if stop is None or self._sleep is not time.sleep:
            return self._sleep

        def sleep(seconds: float) -> None:
            if stop.wait(seconds):
                raise NotSent

        return sleep

    def _send_once(self, request: httpx.Request, call_deadline: float) -> httpx.Response:
        core = self._core
        deadline = core.attempt_deadline(call_deadline)
        started = time.perf_counter()
        content: bytes | None = None
        unread: BodyTooLarge | BodyUndecodable | None = None
        failure: APIConnectionError | None = None
        context = ATTEMPT_DEADLINE.set(deadline)
        try:
            response = self._http.send(request, auth=core.auth, stream=True, follow_redirects=False)
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
        return core.handle_response(
            response,
            content,
            started=started,
            unread=None if unread is None else str(unread),
            limit_passed=isinstance(unread, BodyTooLarge),
        )


class AsyncAppStoreConnect:
    """The asyncio twin of `AppStoreConnect`: the same options and limits, awaitable methods.

    Everything is done through its three resources:

    - `.builds`: read, find, list, wait for and change builds (expire, encryption,
      declaration), and expire many at once (`AsyncBuilds`).
    - `.apps`: find an app by its bundle id (`AsyncApps`).
    - `.encryption_declarations`: read an app encryption declaration
      (`AsyncEncryptionDeclarations`).

    `sleep` is awaited between retries; `http_client` is an `httpx.AsyncClient`. Each
    attempt runs inside `asyncio.timeout`, so its deadline holds for any client given.
    """

    def __init__(
        self,
        key: APIKey,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        scope: Sequence[str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        attempt_timeout: float = DEFAULT_ATTEMPT_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        budget: RateBudget | None = None,
    ) -> None:
        _check_http_options(transport, http_client)
        self._core = ClientCore(
            key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            scope=scope,
            now=now,
            random=random,
            attempt_timeout=attempt_timeout,
            call_timeout=call_timeout,
            max_response_bytes=max_response_bytes,
            budget=budget,
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport, timeout=self._core.timeout
        )
        self.apps = AsyncApps(self._send)
        self.builds = AsyncBuilds(
            self._send, self.apps, JobClock(self._core.now, sleep, random, self._core.budget)
        )
        self.encryption_declarations = AsyncEncryptionDeclarations(self._send)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def last_rate_limit(self) -> RateLimit | None:
        """The `X-Rate-Limit` budget from the latest response that carried one."""
        return self._core.last_rate_limit

    def __repr__(self) -> str:
        return f"AsyncAppStoreConnect(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        """Close the connection pool, unless the caller passed its own `http_client`."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, operation: Mapping[str, Any], max_retries: int | None) -> httpx.Response:
        core = self._core
        policy = core.retry.with_max_retries(max_retries)
        call_deadline = core.call_deadline()
        retry_number = 0
        replayed_401 = False
        while True:
            request = core.build_request(self._http, operation)
            paced_from = time.monotonic()
            ticket = await apace(core.budget, now=core.now, sleep=self._sleep)
            # Waiting for the hourly budget is not the server's time: the deadline moves.
            call_deadline += time.monotonic() - paced_from
            try:
                response = await self._send_once(request, call_deadline)
            except AuthenticationError as error:
                core.settle(ticket, error)
                if replayed_401:
                    raise
                replayed_401 = True
                core.replay_after_401(request)
                continue
            except _RetryableError as error:
                core.settle(ticket, error)
                retry_number += 1
                delay = policy.delay_before_retry(error, retry_number)
                if delay is None or time.monotonic() + delay >= call_deadline:
                    raise
                log_retry(
                    method=request.method,
                    path=request.url.path,
                    reason=str(error),
                    delay=delay,
                    retry_number=retry_number,
                    max_retries=policy.max_retries,
                )
                await self._sleep(delay)
                continue
            except BaseException:
                core.settle(ticket, None)
                raise
            core.settle(ticket, response)
            return response

    async def _send_once(self, request: httpx.Request, call_deadline: float) -> httpx.Response:
        core = self._core
        deadline = core.attempt_deadline(call_deadline)
        started = time.perf_counter()
        content: bytes | None = None
        unread: BodyTooLarge | BodyUndecodable | None = None
        failure: APIConnectionError | None = None
        try:
            async with asyncio.timeout(deadline - time.monotonic()):
                response = await self._http.send(
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
        return core.handle_response(
            response,
            content,
            started=started,
            unread=None if unread is None else str(unread),
            limit_passed=isinstance(unread, BodyTooLarge),
        )
