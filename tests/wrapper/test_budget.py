"""RateBudget: the arithmetic of pacing inside Apple's rolling-hour request budget."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from asc_builds import AppStoreConnect, BudgetExhaustedError, RateBudget, RateLimit
from asc_builds._budget import BudgetTicket, BudgetWait, pace

from ..steps import run_steps
from ._support import BUILD_ID, FakeClock, RecordedSleeps, ScriptedServer

HOUR = 3600.0
MakeClient = Callable[..., AppStoreConnect]
MakeOk = Callable[..., httpx.Response]


def _limit(limit: int, remaining: int) -> RateLimit:
    return RateLimit(limit=limit, remaining=remaining)


def _ticket(budget: RateBudget, now: float) -> BudgetTicket:
    decision = budget.try_acquire(now)
    assert isinstance(decision, BudgetTicket), decision
    return decision


def _send(budget: RateBudget, now: float, limit: int, remaining: int) -> None:
    budget.settle(_ticket(budget, now), _limit(limit, remaining), now)


def test_unpaced_until_an_answer_announces_the_limit() -> None:
    budget = RateBudget()
    tickets = [budget.try_acquire(0.0) for _ in range(10_000)]
    assert all(isinstance(ticket, BudgetTicket) for ticket in tickets)
    assert budget.status(0.0).limit is None


def test_own_requests_fill_the_hour_then_wait_for_the_oldest_to_age_out() -> None:
    budget = RateBudget()
    for n in range(10):
        _send(budget, 100.0 + n, limit=10, remaining=9 - n)
    decision = budget.try_acquire(120.0)
    # The first answer came at 100 s: its slot is free again one hour later, not before.
    assert decision == BudgetWait(100.0 + HOUR - 120.0)
    assert isinstance(budget.try_acquire(100.0 + HOUR), BudgetTicket)
    assert isinstance(budget.try_acquire(100.0 + HOUR), BudgetWait)


def test_requests_in_flight_hold_their_slots() -> None:
    budget = RateBudget()
    _send(budget, 0.0, limit=3, remaining=2)
    held = [_ticket(budget, 0.0), _ticket(budget, 0.0)]
    assert isinstance(budget.try_acquire(0.0), BudgetWait)
    assert budget.status(0.0).in_flight == len(held)


def test_others_spending_on_the_same_key_shrink_the_share() -> None:
    budget = RateBudget()
    # Our first request leaves 2 of 10: someone else made 7 in the last hour.
    _send(budget, 0.0, limit=10, remaining=2)
    assert budget.status(0.0).available == 2
    _ticket(budget, 1.0)
    _ticket(budget, 1.0)
    decision = budget.try_acquire(1.0)
    assert isinstance(decision, BudgetWait)
    # Their requests are surely gone one hour after the announcement, ours with them.
    assert decision.seconds == pytest.approx(HOUR - 1.0)


def test_an_announcement_older_than_the_window_is_forgotten() -> None:
    budget = RateBudget()
    _send(budget, 0.0, limit=10, remaining=0)
    assert budget.status(1.0).available == 0
    assert budget.status(HOUR).available == 10


def test_requests_answered_before_a_send_count_as_ours_not_others() -> None:
    budget = RateBudget()
    _send(budget, 0.0, limit=10, remaining=9)
    _send(budget, 1.0, limit=10, remaining=8)
    # Two of ours are counted in that answer, nobody else's: 8 left.
    assert budget.status(1.0).available == 8


def test_a_429_is_not_assumed_to_be_counted() -> None:
    budget = RateBudget()
    budget.settle(_ticket(budget, 0.0), _limit(10, 0), 0.0, rejected=True)
    # Others spent all 10 (the refused request may not count), and our refused request
    # still holds a slot until its hour is over.
    assert budget.status(0.0).available == 0
    assert budget.status(HOUR).available == 10


def test_reserve_is_left_for_other_jobs() -> None:
    budget = RateBudget(reserve=3)
    _send(budget, 0.0, limit=10, remaining=9)
    assert budget.status(0.0).available == 6


@pytest.mark.parametrize(
    "options",
    [{"reserve": -1}, {"reserve": 1.5}, {"reserve": True}, {"max_wait": -1}, {"window": 0}],
)
def test_options_are_checked(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RateBudget(**options)  # type: ignore[arg-type]


def _pace(
    budget: RateBudget, now: Callable[[], float], sleep: Callable[[float], None]
) -> BudgetTicket:
    paced = pace(budget, now)
    return paced if isinstance(paced, BudgetTicket) else run_steps(paced.steps, sleep)


def test_pace_sleeps_until_a_slot_frees_and_counts_the_wait() -> None:
    clock = FakeClock(0.0)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    budget = RateBudget()
    _send(budget, 0.0, limit=1, remaining=0)
    ticket = _pace(budget, clock, sleep)
    assert slept == [HOUR]
    assert ticket.sent_at == HOUR
    status = budget.status(clock())
    assert (status.waits, status.waited_seconds) == (1, HOUR)


def test_pace_refuses_a_longer_wait_than_max_wait_without_sleeping() -> None:
    budget = RateBudget(max_wait=60)
    _send(budget, 0.0, limit=1, remaining=0)
    slept: list[float] = []
    with pytest.raises(BudgetExhaustedError) as caught:
        _pace(budget, lambda: 10.0, slept.append)
    assert slept == []
    assert caught.value.wait_seconds == pytest.approx(HOUR - 10.0)
    assert caught.value.limit == 1
    assert "not sent" in str(caught.value)


@pytest.fixture
def sleeps(clock: FakeClock) -> RecordedSleeps:
    """Recorded sleeps that move the fake clock: pacing looks at the clock again after one."""

    class Advancing(RecordedSleeps):
        def __call__(self, seconds: float) -> None:
            super().__call__(seconds)
            clock.advance(seconds)

    return Advancing()


def test_the_client_waits_for_the_budget_before_sending(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    exhausted = {"X-Rate-Limit": "user-hour-lim:1;user-hour-rem:0;"}
    server = ScriptedServer([build_ok(exhausted), build_ok(exhausted)])
    asc: AppStoreConnect = make_client(server)
    asc.builds.expire(BUILD_ID)
    assert sleeps.waits == []
    asc.builds.expire(BUILD_ID)
    assert sleeps.waits == [HOUR]
    assert server.remaining == 0


def test_the_client_sends_nothing_when_the_wait_exceeds_max_wait(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    exhausted = {"X-Rate-Limit": "user-hour-lim:1;user-hour-rem:0;"}
    server = ScriptedServer([build_ok(exhausted)])
    asc: AppStoreConnect = make_client(server, budget=RateBudget(max_wait=5))
    asc.builds.expire(BUILD_ID)
    with pytest.raises(BudgetExhaustedError):
        asc.builds.expire(BUILD_ID)
    assert len(server.requests) == 1
    assert sleeps.waits == []


def test_a_budget_shared_by_two_clients_paces_them_together(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    budget = RateBudget()
    exhausted = {"X-Rate-Limit": "user-hour-lim:1;user-hour-rem:0;"}
    first = ScriptedServer([build_ok(exhausted)])
    second = ScriptedServer([build_ok()])
    make_client(first, budget=budget).builds.expire(BUILD_ID)
    make_client(second, budget=budget).builds.expire(BUILD_ID)
    assert sleeps.waits == [HOUR]


def test_a_connection_error_still_holds_its_slot(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    budget = RateBudget()
    announced = {"X-Rate-Limit": "user-hour-lim:2;user-hour-rem:1;"}
    server = ScriptedServer([build_ok(announced), httpx.ConnectError("refused"), build_ok()])
    asc: AppStoreConnect = make_client(server, budget=budget, max_retries=1)
    asc.builds.expire(BUILD_ID)
    asc.builds.expire(BUILD_ID)
    # The dropped request may have been counted: the retry waited for a slot, after the
    # retry's own backoff.
    assert sleeps.waits[0] == pytest.approx(0.5)
    assert sleeps.waits[1] == pytest.approx(HOUR - 0.5)


def test_a_rate_limit_header_read_twice_is_parsed_once_and_read_only() -> None:
    from asc_builds._rate_limit import parse_rate_limit

    value = "user-hour-lim:3600;user-hour-rem:1234;odd;x:y;"
    first = parse_rate_limit(value)
    assert first is not None
    assert (first.limit, first.remaining) == (3600, 1234)
    assert parse_rate_limit(value) is first
    with pytest.raises(TypeError):
        first.entries["user-hour-rem"] = 0  # type: ignore[index]
    assert parse_rate_limit("user-hour-lim:3600;user-hour-rem:1233;") != first
    assert parse_rate_limit("") is None
