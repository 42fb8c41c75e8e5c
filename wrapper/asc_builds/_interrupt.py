"""How a sync batch tells the send loop of its worker threads to start nothing new.

Threads cannot be interrupted: Ctrl-C reaches the main thread only. The batch sets an
event; each worker's send loop checks it before every attempt (the first one and every
retry), so after the interrupt no new request leaves the machine.
"""

from __future__ import annotations

import contextvars
import threading

__all__ = ["BATCH_STOP", "NotSent", "stop_requested"]

# The event of the batch the current thread works for; None outside batches.
BATCH_STOP: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "asc_builds_batch_stop", default=None
)


class NotSent(Exception):
    """The batch was stopped before this request was sent (internal to the batch)."""


def stop_requested() -> bool:
    stop = BATCH_STOP.get()
    return stop is not None and stop.is_set()
