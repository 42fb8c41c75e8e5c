"""Long waits made visible without -v: a wait for the hourly budget, or a retry's
`Retry-After` or backoff, of `NOTICE_SECONDS` or more prints one line (stderr in text
mode, a `progress` line with --json). In a CI log a silent wait looks like a hang.

The SDK logs every wait at INFO with `wait_seconds` and `wait_for` on the record; this
handler listens for those records alone.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from ._render import OutputClosed, Renderer
from ._visible import visible

__all__ = ["NOTICE_SECONDS", "WaitNotices", "showing_long_waits"]

NOTICE_SECONDS = 5.0


class WaitNotices(logging.Handler):
    """Renders each long wait once: several threads waiting out the same budget or the
    same `Retry-After` give one line, not one each."""

    def __init__(self, render: Renderer, *, text_too: bool = True) -> None:
        super().__init__(logging.INFO)
        self._render = render
        self._text_too = text_too
        self._shown_until: dict[str, float] = {}
        self._guard = threading.Lock()

    def _first_for(self, wait_for: str, seconds: float) -> bool:
        ends = time.monotonic() + seconds
        with self._guard:
            # A wait that ends within a second of one already shown adds nothing.
            if ends <= self._shown_until.get(wait_for, 0.0) + 1.0:
                return False
            self._shown_until[wait_for] = ends
        return True

    def emit(self, record: logging.LogRecord) -> None:
        seconds = getattr(record, "wait_seconds", None)
        wait_for = getattr(record, "wait_for", None)
        if not isinstance(seconds, (int, float)) or not isinstance(wait_for, str):
            return
        if seconds < NOTICE_SECONDS or not (self._render.as_json or self._text_too):
            return
        if not self._first_for(wait_for, seconds):
            return
        message = record.getMessage()
        payload = {
            "wait_seconds": round(float(seconds), 3),
            "wait_for": wait_for,
            "message": message,
        }
        # Called on whichever thread waits: a closed stdout is for the main thread to
        # find on its next line; a failing stderr must not print a logging traceback.
        with contextlib.suppress(OutputClosed, OSError, ValueError):
            self._render.progress(payload, f"asc-builds: {visible(message)}", id=None)


@contextlib.contextmanager
def showing_long_waits(render: Renderer, *, verbosity: int) -> Iterator[None]:
    """Listen for the SDK's wait records while one command runs, then put things back.

    With -v the SDK's own log line already says it on stderr, so text mode adds nothing.
    """
    logger = logging.getLogger("asc_builds")
    handler = WaitNotices(render, text_too=verbosity <= 0)
    previous = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
