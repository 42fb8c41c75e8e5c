"""The clients users hold: `AppStoreConnect` (sync) and `AsyncAppStoreConnect`."""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Self

import httpx

from ._base_client import (
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    ClientCore,
)
from ._budget import RateBudget
from ._drivers import AsyncDriver, SyncDriver
from ._exceptions import InvalidInputError
from ._keys import APIKey
from ._rate_limit import RateLimit
from ._retry import DEFAULT_MAX_RETRIES
from .apps import AppOperations, Apps, AsyncApps
from .builds import AsyncBuilds, BuildOperations, Builds, JobClock
from .encryption_declarations import (
    AsyncEncryptionDeclarations,
    DeclarationOperations,
    EncryptionDeclarations,
)

__all__ = ["AppStoreConnect", "AsyncAppStoreConnect"]


def _check_http_options(transport: object, http_client: object) -> None:
    if transport is not None and http_client is not None:
        raise InvalidInputError("pass transport= or http_client=, not both")


def _operations(core: ClientCore, random: Callable[[], float]) -> BuildOperations:
    """A client's resources, written once: the apps it resolved are shared with builds."""
    return BuildOperations(
        AppOperations(), DeclarationOperations(), JobClock(core.now, random, core.budget)
    )


class AppStoreConnect:
    """A synchronous App Store Connect client; safe to share between threads.

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
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, timeout=self._core.timeout)
        # Bounds every socket operation by the attempt's deadline (see _deadline); without
        # it, a trickled header would only be bounded by httpx's per-read timeout. Imported
        # here, with the first sync client: it needs httpcore, which `import asc_builds`
        # does not load.
        from ._deadline_backend import install

        install(self._http)
        driver = SyncDriver(self._core, self._http, sleep)
        builds = _operations(self._core, random)
        self.apps = Apps(driver, builds.apps)
        self.builds = Builds(driver, builds)
        self.encryption_declarations = EncryptionDeclarations(driver, builds.declarations)

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


class AsyncAppStoreConnect:
    """The asyncio twin of `AppStoreConnect`: the same options and limits, awaitable methods.

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
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport, timeout=self._core.timeout
        )
        driver = AsyncDriver(self._core, self._http, sleep)
        builds = _operations(self._core, random)
        self.apps = AsyncApps(driver, builds.apps)
        self.builds = AsyncBuilds(driver, builds)
        self.encryption_declarations = AsyncEncryptionDeclarations(driver, builds.declarations)

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
