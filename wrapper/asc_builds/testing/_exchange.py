"""What the fake's core hands to its adapters: a response, a delay, or a dropped line."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["FakeResponse", "Outcome"]


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
