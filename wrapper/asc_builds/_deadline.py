"""A total deadline for each attempt, enforced on the socket by the sync client.

httpx's timeouts bound each socket operation, and a read restarts the clock: a server that
sends one byte a second, in its headers or its body, never times out. The async client
wraps each attempt in `asyncio.timeout`, which cancels whatever is awaited. Threads cannot
be cancelled, so for the sync client the deadline is carried to the socket instead: a
network backend (asc_builds._deadline_backend) bounds every connect, read and write by the
time left, and fails the operation once none is left. The deadline travels in a context
variable set around each attempt, so the backend does nothing for requests the SDK does
not make (a caller's own `http_client` keeps serving its other requests exactly as
before).
"""

from __future__ import annotations

import contextvars
import time

__all__ = ["ATTEMPT_DEADLINE", "deadline_left"]

# The time.monotonic() value after which the current attempt fails; None outside attempts.
ATTEMPT_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "asc_builds_attempt_deadline", default=None
)


def deadline_left() -> float | None:
    """Seconds left before the current attempt's deadline; None when there is none."""
    deadline = ATTEMPT_DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()
