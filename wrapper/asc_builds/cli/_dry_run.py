"""--dry-run: build the exact request through the real client, then send nothing."""

from __future__ import annotations

import json

import httpx

__all__ = ["DryRunTransport", "RequestNotSent", "describe_request"]

_REDACTED_HEADERS = frozenset({"authorization", "cookie"})


class RequestNotSent(Exception):
    """Raised by the dry-run transport in place of sending; carries the request."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(f"{request.method} {request.url} (not sent)")
        self.request = request


class DryRunTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RequestNotSent(request)


def describe_request(request: httpx.Request) -> dict[str, object]:
    """The request as JSON-ready data, with credentials redacted."""
    headers = {
        name: "<redacted>" if name.lower() in _REDACTED_HEADERS else value
        for name, value in request.headers.items()
    }
    body = request.content
    return {
        "method": request.method,
        "url": str(request.url),
        "headers": headers,
        "body": json.loads(body) if body else None,
    }
