"""Generated clients wired to recording transports: every exchange is seen and recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from asc_builds_generated.client import Client

from .exercised import Exercised

__all__ = ["BEARER", "RecordingTransport", "generated_client", "serving"]

# Prism and the spec's security scheme require a bearer token; its value is never checked.
BEARER = {"Authorization": "Bearer contract-test-token"}


class RecordingTransport(httpx.BaseTransport):
    """Passes each request on, records it with its response, and keeps the last exchange."""

    def __init__(self, inner: httpx.BaseTransport, exercised: Exercised) -> None:
        self._inner = inner
        self._exercised = exercised
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()
        self._exercised.record(request, response)
        self.exchanges.append((request, response))
        return response

    def close(self) -> None:
        self._inner.close()


def serving(
    status: int, body: Any, check: Callable[[httpx.Request], None] | None = None
) -> httpx.MockTransport:
    """A transport answering every request with `status` and `body` as JSON."""

    def handle(request: httpx.Request) -> httpx.Response:
        if check is not None:
            check(request)
        return httpx.Response(
            status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )

    return httpx.MockTransport(handle)


def generated_client(base_url: str, transport: httpx.BaseTransport) -> Client:
    client = Client(base_url=base_url)
    client.set_httpx_client(
        httpx.Client(base_url=base_url, transport=transport, headers=BEARER, timeout=10.0)
    )
    return client
