"""What `asc-builds wait` prints while it waits: a line per change, a heartbeat a minute.

In CI logs (not a terminal) a job that prints nothing for half an hour looks hung: every
change of what the polls see gets a line, and when nothing changed for a minute a
heartbeat line says how long it has waited and what it last saw. On a terminal only the
changes are printed. Polls come at most a minute apart (unless the hourly budget is
nearly spent), so the heartbeat comes about once a minute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..jobs import WaitProgress

__all__ = ["HEARTBEAT_SECONDS", "WaitReporter"]

HEARTBEAT_SECONDS = 60.0

Emit = Callable[[Mapping[str, object], str, str | None], None]


def _seen(progress: WaitProgress, describe: str) -> str:
    if not progress.found:
        return "not listed yet"
    state = progress.state or "no processing state yet"
    # Named by id, the build is already in `describe`; named by numbers, its id is news.
    if progress.build_id is None or re.search(rf"\b{re.escape(progress.build_id)}\b", describe):
        return state
    return f"build {progress.build_id}: {state}"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:d}m{whole % 60:02d}s"


class WaitReporter:
    """The progress callback of `wait`: `emit(payload, text, build_id)` for each line."""

    def __init__(self, emit: Emit, *, describe: str, heartbeat: bool) -> None:
        self._emit = emit
        self._describe = describe
        self._heartbeat = heartbeat
        self._last_line_at: float | None = None

    def __call__(self, progress: WaitProgress) -> None:
        waited = progress.waited
        if progress.changed:
            text = f"[{_clock(waited)}] {self._describe}: {_seen(progress, self._describe)}"
            beat = False
        elif self._heartbeat and (
            self._last_line_at is None or waited - self._last_line_at >= HEARTBEAT_SECONDS
        ):
            text = (
                f"[{_clock(waited)}] still waiting for {self._describe} "
                f"({_seen(progress, self._describe)}, {progress.polls} polls)"
            )
            beat = True
        else:
            return
        self._last_line_at = waited
        payload = {
            "found": progress.found,
            "state": progress.state,
            "polls": progress.polls,
            "waited_seconds": round(waited, 3),
            "heartbeat": beat,
        }
        self._emit(payload, text, progress.build_id)
