"""Faults the fake can inject, one per request, from a queue.

``RateLimited``, ``ServerErrorFault`` and ``DropConnection("connect")`` replace the normal
answer to one request without processing it. ``Delay``, ``MalformedBody`` and
``DropConnection("protocol")`` process the request (state may change) and then delay,
corrupt or lose the answer, as a slow or broken proxy in front of a working service
would.
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "FAULT_TYPES",
    "MAX_DELAY_SECONDS",
    "Delay",
    "DropConnection",
    "Fault",
    "MalformedBody",
    "RateLimited",
    "ServerErrorFault",
]

MAX_DELAY_SECONDS = 30.0


def _non_negative_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a non-negative integer, got {value!r}")


@attrs.frozen
class RateLimited:
    """429 ``RATE_LIMIT_EXCEEDED`` with ``Retry-After: <retry_after>`` (seconds)."""

    retry_after: int = attrs.field(default=60, validator=_non_negative_int)


@attrs.frozen
class ServerErrorFault:
    """500 answers with Apple's JSON ``UNEXPECTED_ERROR``; 502/503/504 with an HTML page."""

    status: Literal[500, 502, 503, 504] = 500

    def __attrs_post_init__(self) -> None:
        if self.status not in (500, 502, 503, 504):
            raise ValueError(f"status must be 500, 502, 503 or 504, got {self.status!r}")


@attrs.frozen
class Delay:
    """Answer normally after ``seconds`` (injected sleep in-process, real sleep on the server)."""

    seconds: float

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.seconds <= MAX_DELAY_SECONDS:
            raise ValueError(f"seconds must be within 0..{MAX_DELAY_SECONDS}")


@attrs.frozen
class DropConnection:
    """No answer at all.

    ``"connect"``: the request never arrives (not processed); in-process this raises
    ``httpx.ConnectError``. ``"protocol"``: the request is processed (state may change)
    but the answer is lost; in-process this raises ``httpx.RemoteProtocolError``. The
    HTTP server closes the socket without writing a response for either kind.
    """

    kind: Literal["protocol", "connect"] = "protocol"

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("protocol", "connect"):
            raise ValueError(f"kind must be 'protocol' or 'connect', got {self.kind!r}")


@attrs.frozen
class MalformedBody:
    """``"not_json"``: a 200 with an HTML body; ``"truncated"``: the normal answer, its
    body cut in half."""

    kind: Literal["not_json", "truncated"] = "truncated"

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("not_json", "truncated"):
            raise ValueError(f"kind must be 'not_json' or 'truncated', got {self.kind!r}")


Fault = RateLimited | ServerErrorFault | Delay | DropConnection | MalformedBody

FAULT_TYPES = (RateLimited, ServerErrorFault, Delay, DropConnection, MalformedBody)
