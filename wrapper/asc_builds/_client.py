"""The clients users hold: `AppStoreConnect` (sync) and `AsyncAppStoreConnect`."""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from ._base_client import DEFAULT_TIMEOUT, ClientCore
from ._budget import RateBudget, apace, pace
from ._builds import AsyncBuilds, Builds
from ._exceptions import APIConnectionError, APIStatusError, InvalidInputError
from ._keys import APIKey
from ._logging import log_retry
from ._rate_limit import RateLimit
from ._retry import DEFAULT_MAX_RETRIES
from .jobs._resource import JobClock
from .resources.apps import Apps, AsyncApps
from .resources.encryption_declarations import AsyncEncryptionDeclarations, EncryptionDeclarations

__all__ = ["AppStoreConnect", "AsyncAppStoreConnect"]

_RetryableError = (APIStatusError, APIConnectionError)


def _check_http_options(transport: object, http_client: object) -> None:
    if transport is not None and http_client is not None:
        raise InvalidInputError("pass transport= or http_client=, not both")


class AppStoreConnect:
    """A synchronous App Store Connect client; safe to share between threads.

    `key` signs every request. `base_url` defaults to Apple's host (the enterprise host for
    an enterprise key). Pass `transport=` (an httpx transport) or `http_client=` (an
    `httpx.Client` you own and close) to control the connection, for example in tests.
    `scope` limits every token to the listed `"METHOD /path"` operations. `now`, `sleep` and
    `random` are the clock, the wait between retries and the jitter source. `budget` paces
    every request inside Apple's hourly budget (a fresh `RateBudget()` by default; share one
    between clients that use the same key).
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
            budget=budget,
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, timeout=self._core.timeout)
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
        policy = self._core.retry.with_max_retries(max_retries)
        retry_number = 0
        while True:
            request = self._core.build_request(self._http, operation)
            ticket = pace(self._core.budget, now=self._core.now, sleep=self._sleep)
            try:
                response = self._send_once(request)
            except _RetryableError as error:
                self._core.settle(ticket, error)
                retry_number += 1
                delay = policy.delay_before_retry(error, retry_number)
                if delay is None:
                    raise
                log_retry(
                    method=request.method,
                    path=request.url.path,
                    reason=str(error),
                    delay=delay,
                    retry_number=retry_number,
                    max_retries=policy.max_retries,
                )
                self._sleep(delay)
                continue
            except BaseException:
                self._core.settle(ticket, None)
                raise
            self._core.settle(ticket, response)
            return response

    def _send_once(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._http.send(request, auth=self._core.auth)
        except httpx.TransportError as error:
            raise self._core.connection_error(error, request) from error
        return self._core.handle_response(response, started=started)


class AsyncAppStoreConnect:
    """The asyncio twin of `AppStoreConnect`: the same options, awaitable methods.

    `sleep` is awaited between retries; `http_client` is an `httpx.AsyncClient`.
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
        policy = self._core.retry.with_max_retries(max_retries)
        retry_number = 0
        while True:
            request = self._core.build_request(self._http, operation)
            ticket = await apace(self._core.budget, now=self._core.now, sleep=self._sleep)
            try:
                response = await self._send_once(request)
            except _RetryableError as error:
                self._core.settle(ticket, error)
                retry_number += 1
                delay = policy.delay_before_retry(error, retry_number)
                if delay is None:
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
                self._core.settle(ticket, None)
                raise
            self._core.settle(ticket, response)
            return response

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self._http.send(request, auth=self._core.auth)
        except httpx.TransportError as error:
            raise self._core.connection_error(error, request) from error
        return self._core.handle_response(response, started=started)
