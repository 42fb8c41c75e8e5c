"""Batches paced by the hourly budget against the fake, on the fake's clock: no 429 storm.

The fake enforces a rolling hour of `rate_limit_per_hour` requests, as Apple documents it.
Its clock and the client's are one ManualClock, so an hour passes without waiting for it.
"""

from __future__ import annotations

import math

import pytest
from asc_builds import (
    ApiKey,
    AppStoreConnect,
    AsyncAppStoreConnect,
    BudgetExhaustedError,
    RateBudget,
)
from asc_builds.testing import API_BASE_URL, FakeAppStoreConnect, ManualClock, ThrowawayKey

HOUR = 3600.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _fake(clock: ManualClock, per_hour: int) -> FakeAppStoreConnect:
    # The manual clock jumps an hour while other threads' requests are in flight with
    # tokens signed before the jump; a real hour would not pass mid-request. The leeway
    # keeps those tokens valid so that the count of requests is the budget's alone.
    return FakeAppStoreConnect(
        clock=clock.now,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        rate_limit_per_hour=per_hour,
        jwt_leeway_seconds=3 * HOUR,
    )


def _api_key(key: ThrowawayKey) -> ApiKey:
    return ApiKey(key_id=key.key_id, issuer_id=key.issuer_id, private_key=key.private_key_pem)


def _best_seconds(requests: int, per_hour: int) -> float:
    # At best, one full budget at once and the next one an hour later.
    return (math.ceil(requests / per_hour) - 1) * HOUR


def test_5000_builds_against_3600_an_hour_with_no_429(clock: ManualClock) -> None:
    fake = _fake(clock, 3600)
    ids = [fake.add_build().id for _ in range(5000)]
    start = clock.now()
    budget = RateBudget()
    with AppStoreConnect(
        _api_key(fake.add_throwaway_key()),
        base_url=API_BASE_URL,
        transport=fake.transport(),
        now=clock.now,
        sleep=clock.sleep_when_idle(budget),
        budget=budget,
    ) as asc:
        outcomes = asc.builds.expire_many(ids, concurrency=8)

    statuses = [request.status for request in fake.requests]
    assert statuses.count(429) == 0
    assert [outcome.build_id for outcome in outcomes] == ids
    assert all(outcome.ok for outcome in outcomes)
    assert all(fake.build(build_id).expired for build_id in ids)
    # A PATCH per id, and the batch's reads: 100 ids a request.
    assert len(statuses) == 5000 + 50
    assert sum(request.method == "GET" for request in fake.requests) == 50
    assert clock.now() - start == _best_seconds(5050, 3600)


async def test_async_batch_is_paced_the_same_way(clock: ManualClock) -> None:
    fake = _fake(clock, 360)
    ids = [fake.add_build().id for _ in range(500)]
    start = clock.now()
    async with AsyncAppStoreConnect(
        _api_key(fake.add_throwaway_key()),
        base_url=API_BASE_URL,
        transport=fake.async_transport(),
        now=clock.now,
        sleep=clock.async_sleep,
    ) as asc:
        outcomes = await asc.builds.expire_many(ids, concurrency=8)

    assert [request.status for request in fake.requests].count(429) == 0
    assert len(fake.requests) == 500 + 5
    assert all(outcome.ok for outcome in outcomes)
    assert all(fake.build(build_id).expired for build_id in ids)
    assert clock.now() - start == _best_seconds(505, 360)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_with_max_wait_the_batch_stops_cleanly_and_says_what_was_not_sent(
    clock: ManualClock, concurrency: int
) -> None:
    fake = _fake(clock, 300)
    ids = [fake.add_build().id for _ in range(500)]
    with AppStoreConnect(
        _api_key(fake.add_throwaway_key()),
        base_url=API_BASE_URL,
        transport=fake.transport(),
        now=clock.now,
        sleep=clock.sleep,
        budget=RateBudget(max_wait=60),
    ) as asc:
        outcomes = asc.builds.expire_many(ids, concurrency=concurrency)

    done = [outcome.build_id for outcome in outcomes if outcome.ok]
    refused = [o.build_id for o in outcomes if isinstance(o.error, BudgetExhaustedError)]
    assert len(done) + len(refused) == len(ids)
    reads = sum(request.method == "GET" for request in fake.requests)
    sent = len(done) + reads
    if concurrency == 1:
        # One request at a time: every answer's estimate is exact, the hour is filled.
        assert sent == 300
    else:
        # Requests in flight when an answer is made may be counted by Apple yet not
        # known to be: the estimate stays on the safe side, by at most a few requests
        # per request in flight (the batch's reads run beside its PATCHes).
        assert 300 - 4 * (concurrency + 1) <= sent <= 300
    assert [request.status for request in fake.requests].count(429) == 0
    assert len(fake.requests) == sent
    assert all(fake.build(build_id).expired for build_id in done)
    assert not any(fake.build(build_id).expired for build_id in refused)
    assert clock.slept == []


def test_budget_spent_by_another_job_on_the_key_is_left_alone(clock: ManualClock) -> None:
    fake = _fake(clock, 100)
    other_ids = [fake.add_build().id for _ in range(70)]
    ids = [fake.add_build().id for _ in range(100)]
    start = clock.now()
    with (
        AppStoreConnect(
            _api_key(fake.add_throwaway_key()),
            base_url=API_BASE_URL,
            transport=fake.transport(),
            now=clock.now,
            sleep=clock.sleep,
        ) as other,
        AppStoreConnect(
            _api_key(fake.add_throwaway_key()),
            base_url=API_BASE_URL,
            transport=fake.transport(),
            now=clock.now,
            sleep=clock.sleep,
        ) as asc,
    ):
        other.builds.expire_many(other_ids, concurrency=1)
        clock.advance(600)
        outcomes = asc.builds.expire_many(ids, concurrency=1)

    assert all(outcome.ok for outcome in outcomes)
    assert [request.status for request in fake.requests].count(429) == 0
    # 30 fit beside the other job's 70. Whose requests they were and when they age out is
    # not announced, so the rest wait one hour after the announcement that showed the
    # budget spent (the other job's requests were 10 minutes older: at best 50 minutes).
    assert clock.slept == [HOUR]
    assert clock.now() - start == 600 + HOUR
