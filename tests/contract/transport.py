"""Generated clients wired to recording transports: every exchange is seen and recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
from asc_builds_generated.client import Client

from .exercised import Exercised

__all__ = [
    "BEARER",
    "EchoingId",
    "RecordingTransport",
    "answering_id",
    "generated_client",
    "serving",
]

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


def answering_id(request: httpx.Request, body: Any) -> Any:
    """`body` as the answer to `request`: a 2xx document's `data.id` is the id in the path.

    The wrapper checks that a 200 is the build it asked for; a mock serving one fixed
    document (or Prism's examples) would otherwise answer about another build.
    """
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, list) and is_batch_read(request):
        # A batch's read: the builds asked for, shaped as the served example, not expired.
        template: dict[str, Any] = (
            data[0] if data and isinstance(data[0], dict) else {"type": "builds"}
        )
        given = template.get("attributes")
        attributes = {**(given if isinstance(given, dict) else {}), "expired": False}
        ids = request.url.params["filter[id]"].split(",")
        items = [{**template, "id": build_id, "attributes": attributes} for build_id in ids]
        return {**body, "data": items}
    if not isinstance(data, dict) or "id" not in data:
        return body
    requested = unquote(request.url.raw_path.decode("ascii").split("?")[0].rsplit("/", 1)[-1])
    return {**body, "data": {**data, "id": requested}}


class EchoingId(httpx.BaseTransport):
    """Passes requests on and rewrites each 2xx JSON answer with `answering_id`."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        content = response.read()
        if not response.is_success or not content:
            return response
        body = answering_id(request, json.loads(content))
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-length", "content-encoding")
        ]
        return httpx.Response(
            response.status_code, headers=headers, content=json.dumps(body).encode()
        )

    def close(self) -> None:
        self._inner.close()


def is_batch_read(request: httpx.Request) -> bool:
    """The read a batch makes before it writes: `GET /v1/builds?filter[id]=...`."""
    return request.method == "GET" and "filter[id]" in request.url.params


def batch_listing(request: httpx.Request) -> dict[str, Any]:
    """The answer to a batch's read: every id asked for, not expired."""
    ids = request.url.params["filter[id]"].split(",")
    base = "https://api.appstoreconnect.apple.com/v1/builds"
    data = [
        {"type": "builds", "id": build_id, "attributes": {"expired": False, "version": "1"}}
        for build_id in ids
    ]
    return {"data": data, "links": {"self": base}}


def serving(
    status: int,
    body: Any,
    check: Callable[[httpx.Request], None] | None = None,
    *,
    echo_id: bool = False,
) -> httpx.MockTransport:
    """A transport answering every request with `status` and `body` as JSON; with
    `echo_id`, a 2xx is about the build the request names (see `answering_id`)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if check is not None:
            check(request)
        if 200 <= status < 300 and is_batch_read(request):
            # A batch reads its builds first: list them, not expired, so each is sent.
            return httpx.Response(200, json=batch_listing(request))
        answer = answering_id(request, body) if echo_id and 200 <= status < 300 else body
        return httpx.Response(
            status,
            content=json.dumps(answer).encode(),
            headers={"Content-Type": "application/json"},
        )

    return httpx.MockTransport(handle)


def generated_client(base_url: str, transport: httpx.BaseTransport) -> Client:
    client = Client(base_url=base_url)
    client.set_httpx_client(
        httpx.Client(base_url=base_url, transport=transport, headers=BEARER, timeout=10.0)
    )
    return client
