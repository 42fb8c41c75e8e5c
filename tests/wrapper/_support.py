"""Test doubles for the wrapper tests: a controllable clock, recorded sleeps, a scripted server."""

from __future__ import annotations

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
    "decode_token",
    "error_body",
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
