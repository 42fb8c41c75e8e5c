"""A total deadline for each attempt, enforced on the socket by the sync client.

httpx's timeouts bound each socket operation, and a read restarts the clock: a server that
sends one byte a second, in its headers or its body, never times out. The async client
wraps each attempt in `asyncio.timeout`, which cancels whatever is awaited. Threads cannot
be cancelled, so for the sync client the deadline is carried to the socket instead: a
network backend bounds every connect, read and write by the time left, and fails the
operation once none is left. The deadline travels in a context variable set around each
attempt, so the backend does nothing for requests the SDK does not make (a caller's own
`http_client` keeps serving its other requests exactly as before).
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["ATTEMPT_DEADLINE", "deadline_left", "install_deadline_backend"]

# The time.monotonic() value after which the current attempt fails; None outside attempts.
ATTEMPT_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "asc_builds_attempt_deadline", default=None
)


def deadline_left() -> float | None:
    """Seconds left before the current attempt's deadline; None when there is none."""
    deadline = ATTEMPT_DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    left = deadline_left()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the attempt's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    __slots__ = ("_stream",)

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            _bounded(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options=socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install_deadline_backend(http: httpx.Client) -> bool:
    """Put the deadline backend under every connection pool of `http`; True if all took it.

    This reaches into httpx and httpcore internals (`Client._transport`, `_mounts`,
    `HTTPTransport._pool`, `ConnectionPool._network_backend`), each checked before use;
    tests/wrapper/test_deadline.py fails if an upgrade moves them. Transports that are not
    httpx's own (a MockTransport, say) have no sockets to bound and are left alone.
    """
    transports = [getattr(http, "_transport", None)]
    transports += list(getattr(http, "_mounts", {}).values())
    complete = True
    for transport in transports:
        if transport is None or not isinstance(transport, httpx.HTTPTransport):
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(pool, httpcore.ConnectionPool) or not isinstance(
            backend, httpcore.NetworkBackend
        ):
            complete = False
            continue
        if not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)
    return complete
