"""The clients users hold: `AppStoreConnect` (sync) and `AsyncAppStoreConnect`."""

from __future__ import annotations

import asyncio
import functools
import random as _random
import time
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Generic, Self, TypeVar

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
from ._send import send_steps
from .apps import AppOperations, Apps, AsyncApps
from .builds import AsyncBuilds, BuildOperations, Builds, JobClock
from .encryption_declarations import (
    AsyncEncryptionDeclarations,
    DeclarationOperations,
    EncryptionDeclarations,
)

__all__ = ["AppStoreConnect", "AsyncAppStoreConnect"]


TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
SleepT = TypeVar("SleepT", Callable[[float], None], Callable[[float], Awaitable[None]])


class _Client(Generic[TransportT, HttpT, SleepT]):
    """What both clients are: settings checked once, the resources made once; each client
    adds its connection, its driver and how it closes."""

    def __init__(
        self,
        key: APIKey,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        scope: Sequence[str] | None = None,
        transport: TransportT | None = None,
        http_client: HttpT | None = None,
        now: Callable[[], float] = time.time,
        sleep: SleepT | None = None,
        random: Callable[[], float] = _random.random,
        attempt_timeout: float = DEFAULT_ATTEMPT_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        budget: RateBudget | None = None,
    ) -> None:
        if transport is not None and http_client is not None:
            raise InvalidInputError("pass transport= or http_client=, not both")
        self._core = core = ClientCore(
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
        # The apps a client resolved are shared by `apps` and `builds`.
        operations = BuildOperations(
            AppOperations(), DeclarationOperations(), JobClock(core.now, random, core.budget)
        )
        self._connect(transport, http_client, sleep, operations)

    def _connect(
        self,
        transport: TransportT | None,
        http_client: HttpT | None,
        sleep: SleepT | None,
        operations: BuildOperations,
    ) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def last_rate_limit(self) -> RateLimit | None:
        """The `X-Rate-Limit` budget from the latest response that carried one."""
        return self._core.last_rate_limit

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class AppStoreConnect(_Client[httpx.BaseTransport, httpx.Client, Callable[[float], None]]):
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

    apps: Apps
    builds: Builds
    encryption_declarations: EncryptionDeclarations

    def _connect(
        self,
        transport: httpx.BaseTransport | None,
        http_client: httpx.Client | None,
        sleep: Callable[[float], None] | None,
        operations: BuildOperations,
    ) -> None:
        self._http = http_client or httpx.Client(transport=transport, timeout=self._core.timeout)
        # Bounds every socket operation by the attempt's deadline (see _deadline); without
        # it, a trickled header would only be bounded by httpx's per-read timeout. Imported
        # here, with the first sync client: it needs httpcore, which `import asc_builds`
        # does not load.
        from ._deadline_backend import install

        install(self._http)
        send = functools.partial(send_steps, self._core, self._http)
        driver = SyncDriver(self._core, self._http, send, sleep or time.sleep)
        self.apps = Apps(driver, operations.apps)
        self.builds = Builds(driver, operations)
        self.encryption_declarations = EncryptionDeclarations(driver, operations.declarations)

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


class AsyncAppStoreConnect(
    _Client[httpx.AsyncBaseTransport, httpx.AsyncClient, Callable[[float], Awaitable[None]]]
):
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

    apps: AsyncApps
    builds: AsyncBuilds
    encryption_declarations: AsyncEncryptionDeclarations

    def _connect(
        self,
        transport: httpx.AsyncBaseTransport | None,
        http_client: httpx.AsyncClient | None,
        sleep: Callable[[float], Awaitable[None]] | None,
        operations: BuildOperations,
    ) -> None:
        self._http = http_client or httpx.AsyncClient(
            transport=transport, timeout=self._core.timeout
        )
        send = functools.partial(send_steps, self._core, self._http)
        driver = AsyncDriver(self._core, self._http, send, sleep or asyncio.sleep)
        self.apps = AsyncApps(driver, operations.apps)
        self.builds = AsyncBuilds(driver, operations)
        self.encryption_declarations = AsyncEncryptionDeclarations(driver, operations.declarations)

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
