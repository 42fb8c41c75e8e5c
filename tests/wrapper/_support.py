"""Test doubles for the wrapper tests: a controllable clock, recorded sleeps, a scripted server."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "BUILD_ID",
    "DECLARATION_ID",
    "FakeClock",
    "RecordedSleeps",
    "ScriptedServer",
    "builds_listing",
    "decode_token",
    "error_body",
    "listing_first",
]

BUILD_ID = "932eff64-a144-4350-8d10-9e54d5834aee"
DECLARATION_ID = "51f19f70-ccd2-4ab9-986b-d7c38ee3e60c"

# A step of a scripted conversation: a response, an exception raised by the transport, or a
# callable building the response from the request.
Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


class RecordedSleeps:
    """Stands in for `time.sleep` and `asyncio.sleep`: records each wait, never waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


class ScriptedServer:
    """Answers requests with the given steps in order, recording every request it saw."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self._steps = list(steps)
        self._lock = threading.Lock()
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # The auth flow replays the same Request object with a new header: keep a snapshot.
        snapshot = httpx.Request(
            request.method, request.url, headers=request.headers.copy(), content=request.read()
        )
        snapshot.extensions = dict(request.extensions)
        with self._lock:
            self.requests.append(snapshot)
            if not self._steps:
                raise AssertionError(f"unexpected extra request {request.method} {request.url}")
            step = self._steps.pop(0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    @property
    def remaining(self) -> int:
        return len(self._steps)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def tokens(self) -> list[str]:
        return [
            request.headers["authorization"].removeprefix("Bearer ") for request in self.requests
        ]

    def bodies(self) -> list[Any]:
        return [json.loads(request.content) for request in self.requests]


def decode_token(
    token: str, public_key: ec.EllipticCurvePublicKey, *, audience: str = "appstoreconnect-v1"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a token, the signature verified; expiry is checked by the tests."""
    claims: dict[str, Any] = jwt.decode(
        token,
        public_key,
        algorithms=["ES256"],
        audience=audience,
        options={"verify_exp": False, "verify_iat": False},
    )
    header: dict[str, Any] = jwt.get_unverified_header(token)
    return header, claims


def error_body(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"errors": list(entries)}


def builds_listing(ids: Sequence[str], *, expired: bool = False) -> dict[str, Any]:
    """A `BuildsResponse` listing `ids`, each with only `expired` (a batch's read)."""
    base = "https://api.appstoreconnect.apple.com/v1/builds"
    return {
        "data": [
            {
                "type": "builds",
                "id": build_id,
                "attributes": {"expired": expired},
                "links": {"self": f"{base}/{build_id}"},
            }
            for build_id in ids
        ],
        "links": {"self": base},
        "meta": {"paging": {"total": len(ids), "limit": max(1, len(ids))}},
    }


def _is_batch_read(request: httpx.Request) -> bool:
    return (
        request.method == "GET"
        and request.url.path == "/v1/builds"
        and "filter[id]" in request.url.params
    )


def _listing(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=builds_listing(request.url.params["filter[id]"].split(",")))


def listing_first(handler: Callable[[httpx.Request], Any]) -> Callable[[httpx.Request], Any]:
    """`handler` for the PATCHes of a batch, behind an answer to the batch's read that
    lists every id asked for, not expired (so each id gets its PATCH)."""
    if inspect.iscoroutinefunction(handler):

        async def answer_async(request: httpx.Request) -> httpx.Response:
            if _is_batch_read(request):
                return _listing(request)
            response: httpx.Response = await handler(request)
            return response

        return answer_async

    def answer(request: httpx.Request) -> httpx.Response:
        if _is_batch_read(request):
            return _listing(request)
        response: httpx.Response = handler(request)
        return response

    return answer
