"""What the fake's core hands to its adapters: a response, a delay, or a dropped line."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Literal, Protocol

import attrs

__all__ = ["FakeCore", "FakeResponse", "Outcome"]


@attrs.frozen
class FakeResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@attrs.frozen
class Outcome:
    """Wait ``delay`` seconds, then send ``response``, or drop the connection (``drop``)."""

    response: FakeResponse | None
    delay: float = 0.0
    drop: Literal["protocol", "connect"] | None = None


class FakeCore(Protocol):
    """What an adapter needs of the fake: its core, and how it carries out a delay.

    The adapters (`_transports`, `_server`) depend on this, not on the fake itself, so
    that the fake can import them without a circle.
    """

    def handle(
        self,
        *,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        base_url: str,
    ) -> Outcome: ...

    def sleep(self, seconds: float) -> None: ...

    def async_sleep(self, seconds: float) -> Awaitable[None]: ...
