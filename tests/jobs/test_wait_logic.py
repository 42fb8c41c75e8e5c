"""ProcessingWait: the schedule and decisions of waiting for processing, without I/O."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from asc_builds import BudgetStatus, InvalidInputError
from asc_builds._steps import Steps
from asc_builds.jobs import (
    PollSchedule,
    ProcessingFailedError,
    ProcessingWait,
    WaitProgress,
    WaitTimeoutError,
)
from asc_builds.jobs._wait import poll_until_processed

from ..steps import run_steps


@attrs.frozen
class Polled:
    id: str
    processing_state: str | None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def wait_sync(
    lookup: Callable[[], Polled | None], wait: ProcessingWait, sleep: Callable[[float], None]
) -> Polled:
    """The wait's steps run with `lookup` for each poll and `sleep` for each wait."""

    def poll() -> Steps[Polled | None]:
        return lookup()
        yield  # a generator: each poll is a step of the wait

    return run_steps(poll_until_processed(poll, wait), sleep)


def _wait(clock: Clock, **options: object) -> ProcessingWait:
    settings: dict[str, object] = {
        "timeout": 600.0,
        "schedule": PollSchedule(initial=5, factor=2, maximum=60, jitter=0.2),
        "now": clock,
        "random": lambda: 0.5,
    }
    settings.update(options)
    return ProcessingWait(**settings)  # type: ignore[arg-type]


def test_intervals_grow_to_the_maximum_with_jitter_either_way() -> None:
    schedule = PollSchedule(initial=5, factor=2, maximum=60, jitter=0.2)
    assert [schedule.interval(n, 0.5) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert schedule.interval(1, 0.0) == pytest.approx(4.0)
    assert schedule.interval(9, 0.999) == pytest.approx(60 * (1 + 0.2 * 0.998))
    # Symmetric: over evenly spread draws the average interval is the nominal one.
    draws = [(n + 0.5) / 1000 for n in range(1000)]
    assert sum(schedule.interval(9, r) for r in draws) / len(draws) == pytest.approx(60)


def test_a_build_that_appears_after_n_polls_is_returned_once_valid() -> None:
    clock = Clock()
    answers = [None, None, None, Polled("b", None), Polled("b", "PROCESSING"), Polled("b", "VALID")]
    seen: list[WaitProgress] = []
    build = wait_sync(lambda: answers.pop(0), _wait(clock, on_progress=seen.append), clock.sleep)
    assert build == Polled("b", "VALID")
    assert answers == []
    assert clock.slept == [5, 10, 20, 40, 60]
    assert [(p.found, p.state, p.changed) for p in seen] == [
        (False, None, True),
        (False, None, False),
        (False, None, False),
        (True, None, True),
        (True, "PROCESSING", True),
        (True, "VALID", True),
    ]
    assert [p.polls for p in seen] == [1, 2, 3, 4, 5, 6]
    assert seen[-1].waited == 135


@pytest.mark.parametrize("state", ["FAILED", "INVALID"])
def test_failed_processing_raises_with_the_state(state: str) -> None:
    clock = Clock()
    answers = [Polled("b", "PROCESSING"), Polled("b", state)]
    with pytest.raises(ProcessingFailedError) as caught:
        wait_sync(lambda: answers.pop(0), _wait(clock), clock.sleep)
    assert (caught.value.build_id, caught.value.state) == ("b", state)
    assert state in str(caught.value)


def test_timeout_says_the_last_state_and_the_time_waited() -> None:
    clock = Clock()
    with pytest.raises(WaitTimeoutError) as caught:
        wait_sync(lambda: Polled("b", "PROCESSING"), _wait(clock, timeout=100), clock.sleep)
    error = caught.value
    assert (error.build_id, error.last_state, error.waited) == ("b", "PROCESSING", 100)
    # 5 + 10 + 20 + 40, then the rest up to the deadline, and one last poll at it.
    assert clock.slept == [5, 10, 20, 40, 25]
    assert error.polls == 6
    assert "PROCESSING" in str(error) and "100 s" in str(error)


def test_timeout_before_the_build_is_ever_listed() -> None:
    clock = Clock()
    with pytest.raises(WaitTimeoutError) as caught:
        wait_sync(lambda: None, _wait(clock, timeout=30, describe="build 7 of 2.1"), clock.sleep)
    assert caught.value.build_id is None and caught.value.last_state is None
    assert "never listed" in str(caught.value) and "build 7 of 2.1" in str(caught.value)


def test_an_unknown_state_keeps_waiting() -> None:
    clock = Clock()
    answers = [Polled("b", "PROCESSING_AGAIN"), Polled("b", "VALID")]
    assert wait_sync(lambda: answers.pop(0), _wait(clock), clock.sleep).processing_state == "VALID"


def test_polls_spread_a_small_remaining_budget_over_the_hour() -> None:
    clock = Clock()
    status = BudgetStatus(limit=3600, available=10, in_flight=0, waits=0, waited_seconds=0.0)
    wait = _wait(clock, timeout=10_000, budget=lambda: status)
    assert not wait.observe(Polled("b", "PROCESSING"))
    assert wait.next_delay() == 360


@pytest.mark.parametrize(
    "options",
    [{"initial": 0}, {"maximum": -1}, {"factor": 0.5}, {"jitter": 1.0}, {"initial": True}],
)
def test_schedule_options_are_checked(options: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        PollSchedule(**options)  # type: ignore[arg-type]


def test_timeout_must_be_positive() -> None:
    with pytest.raises(InvalidInputError):
        _wait(Clock(), timeout=0)
