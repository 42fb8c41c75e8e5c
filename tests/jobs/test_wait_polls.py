"""A wait polls at the rate a human would: about as often as a flat minute, and a build is
returned within 75 s of becoming VALID, counted against the fake with the default schedule."""

from __future__ import annotations

import math
import random

import pytest
from asc_builds.jobs import PollSchedule
from asc_builds.testing import FakeAppStoreConnect, ManualClock

from .conftest import APP_ID

MINUTE = 60.0


def _flat_minute_polls(processing: float) -> int:
    """Polls of a flat 60 s schedule: at 0, 60, 120, ... until one is at or after VALID."""
    return math.ceil(processing / MINUTE) + 1


# Draws of the jitter: always the shortest interval, the nominal, always the longest, and
# two seeded random sequences.
def _draws() -> dict[str, object]:
    seeded = [random.Random(seed).random for seed in (1, 2)]
    return {
        "shortest": lambda: 0.0,
        "nominal": lambda: 0.5,
        "longest": lambda: 0.999_999,
        "seed-1": seeded[0],
        "seed-2": seeded[1],
    }


@pytest.mark.parametrize("minutes", [2, 10, 30])
@pytest.mark.parametrize("draw", list(_draws()))
def test_polls_stay_near_a_flat_minute_and_valid_is_seen_within_75_s(
    fake: FakeAppStoreConnect, clock: ManualClock, minutes: int, draw: str
) -> None:
    build = fake.add_build(app_id=APP_ID, processing_state="PROCESSING")
    valid_at = clock.now() + minutes * MINUTE

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.now() >= valid_at and fake.build(build.id).processing_state != "VALID":
            fake.set_processing_state(build.id, "VALID")

    with fake.client(sleep=sleep, random=_draws()[draw]) as asc:
        found = asc.builds.wait_until_processed(build.id)
    polls = sum(1 for request in fake.requests if request.method == "GET")
    assert found.processing_state == "VALID"
    assert polls <= 1.15 * _flat_minute_polls(minutes * MINUTE) + 2, polls
    assert clock.now() - valid_at <= 75


def test_the_default_schedule_starts_longer_than_5_s_and_stays_within_a_minute() -> None:
    schedule = PollSchedule()
    assert schedule.interval(1, 0.0) > 5
    assert max(schedule.interval(n, 0.999_999) for n in range(1, 50)) <= 66
