"""The fake's request budget is a rolling hour, as App Store Connect documents it."""

from __future__ import annotations

import threading

import httpx
import pytest
from asc_builds import RateBudget
from asc_builds._budget import BudgetTicket
from asc_builds.testing import API_BASE_URL, FakeAppStoreConnect, ManualClock
from asc_builds.testing._hourly_budget import RollingHourBudget

from ._support import Signer, bearer, update_body


def test_each_request_frees_its_slot_one_hour_after_it_was_made() -> None:
    budget = RollingHourBudget(2)
    assert budget.take(0.0)
    assert budget.take(1800.0)
    assert not budget.take(1800.0)
    # A fixed window started at the first request would give both back at 3600.
    assert budget.remaining(3599.0) == 0
    assert budget.remaining(3600.0) == 1
    assert budget.remaining(5400.0) == 2


def test_a_refused_request_does_not_spend_the_budget() -> None:
    budget = RollingHourBudget(1)
    assert budget.take(0.0)
    for _ in range(5):
        assert not budget.take(10.0)
    assert budget.remaining(3600.0) == 1


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_the_limit_is_a_positive_int(limit: object) -> None:
    with pytest.raises(ValueError):
        RollingHourBudget(limit)  # type: ignore[arg-type]


def test_the_header_counts_down_and_up_on_the_fakes_clock(clock: ManualClock, sign: Signer) -> None:
    fake = FakeAppStoreConnect(clock=clock.now, rate_limit_per_hour=3)
    key = fake.add_throwaway_key()
    fake.add_build("b")
    seen = []
    with httpx.Client(transport=fake.transport(), base_url=API_BASE_URL) as http:
        for advance in (0, 1200, 1200, 0, 1200):
            clock.advance(advance)
            response = http.patch("/v1/builds/b", json=update_body("b"), headers=bearer(sign(key)))
            seen.append((response.status_code, response.headers["x-rate-limit"]))
    assert seen == [
        (200, "user-hour-lim:3;user-hour-rem:2;"),
        (200, "user-hour-lim:3;user-hour-rem:1;"),
        (200, "user-hour-lim:3;user-hour-rem:0;"),
        (429, "user-hour-lim:3;user-hour-rem:0;"),
        # The first request is an hour old: its slot alone is back, and this one takes it.
        (200, "user-hour-lim:3;user-hour-rem:0;"),
    ]


def test_sleep_when_idle_moves_the_clock_only_after_requests_in_flight_end() -> None:
    clock = ManualClock()
    budget = RateBudget()
    ticket = budget.try_acquire(clock.now())
    assert isinstance(ticket, BudgetTicket)
    sleeper = threading.Thread(target=clock.sleep_when_idle(budget), args=(3600.0,))
    start = clock.now()
    sleeper.start()
    sleeper.join(timeout=0.2)
    assert sleeper.is_alive()
    assert clock.now() == start
    budget.settle(ticket, None, clock.now())
    sleeper.join(timeout=10)
    assert not sleeper.is_alive()
    assert clock.now() - start == 3600.0
