"""Section 7: a batch larger than Apple's hourly budget, paced by `RateBudget`.

Runs in-process against the fake App Store Connect, which enforces a rolling hour of
`per_hour` requests on a ManualClock shared with the client: an hour of App Store Connect
time passes in seconds. Reported per configuration: requests sent, 429s seen, builds
expired and not attempted, the simulated time taken, and the least time the budget allows
for that many requests (one full budget at once, the next an hour later).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

__all__ = ["BudgetResult", "BudgetRow", "measure_budget"]

HOUR = 3600.0
# The manual clock jumps an hour while other requests are in flight with tokens signed
# before the jump; a long JWT leeway keeps them valid (a real hour never passes mid-request).
_LEEWAY = 3 * HOUR


@dataclass(frozen=True)
class BudgetRow:
    label: str
    builds: int
    per_hour: int
    requests: int
    rate_limited: int
    expired: int
    not_attempted: int
    failed: int
    simulated_seconds: float
    best_seconds: float
    wall_seconds: float


@dataclass(frozen=True)
class BudgetResult:
    rows: list[BudgetRow]


def _best_seconds(requests: int, per_hour: int) -> float:
    return (math.ceil(requests / per_hour) - 1) * HOUR


def _run(label: str, builds: int, per_hour: int, *, mode: str, max_wait: float | None) -> BudgetRow:
    from asc_builds import (
        ApiKey,
        AppStoreConnect,
        AsyncAppStoreConnect,
        BudgetExhaustedError,
        BuildOutcome,
        RateBudget,
    )
    from asc_builds.testing import API_BASE_URL, FakeAppStoreConnect, ManualClock

    clock = ManualClock()
    fake = FakeAppStoreConnect(
        clock=clock.now,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
        rate_limit_per_hour=per_hour,
        jwt_leeway_seconds=_LEEWAY,
    )
    throwaway = fake.add_throwaway_key()
    key = ApiKey(
        key_id=throwaway.key_id,
        issuer_id=throwaway.issuer_id,
        private_key=throwaway.private_key_pem,
    )
    ids = [fake.add_build().id for _ in range(builds)]
    budget = RateBudget(max_wait=max_wait)
    start, wall = clock.now(), time.perf_counter()
    if mode == "sync":
        with AppStoreConnect(
            key,
            base_url=API_BASE_URL,
            transport=fake.transport(),
            now=clock.now,
            sleep=clock.sleep_when_idle(budget),
            budget=budget,
        ) as asc:
            outcomes = asc.builds.expire_many(ids, concurrency=8)
    else:

        async def run_async() -> list[BuildOutcome]:
            async with AsyncAppStoreConnect(
                key,
                base_url=API_BASE_URL,
                transport=fake.async_transport(),
                now=clock.now,
                sleep=clock.async_sleep,
                budget=budget,
            ) as asc:
                return await asc.builds.expire_many(ids, concurrency=8)

        outcomes = asyncio.run(run_async())
    wall = time.perf_counter() - wall
    statuses = [request.status for request in fake.requests]
    not_attempted = sum(1 for o in outcomes if isinstance(o.error, BudgetExhaustedError))
    expired = sum(1 for build_id in ids if fake.build(build_id).expired)
    return BudgetRow(
        label=label,
        builds=builds,
        per_hour=per_hour,
        requests=len(statuses),
        rate_limited=statuses.count(429),
        expired=expired,
        not_attempted=not_attempted,
        failed=sum(1 for o in outcomes if not o.ok) - not_attempted,
        simulated_seconds=clock.now() - start,
        best_seconds=_best_seconds(builds, per_hour),
        wall_seconds=wall,
    )


def measure_budget(*, builds: int, per_hour: int) -> BudgetResult:
    return BudgetResult(
        rows=[
            _run(
                "sync expire_many, waits for the budget",
                builds,
                per_hour,
                mode="sync",
                max_wait=None,
            ),
            _run(
                "async expire_many, waits for the budget",
                builds,
                per_hour,
                mode="async",
                max_wait=None,
            ),
            _run(
                "sync expire_many, max_wait 60 s (stops)",
                builds,
                per_hour,
                mode="sync",
                max_wait=60.0,
            ),
        ]
    )
