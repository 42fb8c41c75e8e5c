"""Running the SDK's sans-I/O steps in a test, without a client: waits go to `sleep`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asc_builds._steps import Queued, Sleep, Steps

R = TypeVar("R")


def run_steps(steps: Steps[R], sleep: Callable[[float], None]) -> R:
    """Drive `steps` that only wait (no API call) to their result."""
    value: Any = None
    while True:
        try:
            effect = steps.send(value)
        except StopIteration as stop:
            result: R = stop.value
            return result
        if isinstance(effect, Sleep):
            sleep(effect.seconds)
            value = None
        elif isinstance(effect, Queued):
            value = run_steps(effect.steps, sleep)
        else:
            raise AssertionError(f"unexpected effect {effect!r}")
