"""An interrupted batch: no request starts after Ctrl-C (or a cancellation), and every id
gets an outcome: changed, failed, or not attempted. The command line's own test, with a
real SIGINT, is tests/hostile/test_interrupt.py."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest
from asc_builds import (
    ApiKey,
    AppStoreConnect,
    AsyncAppStoreConnect,
    BatchInterrupted,
    BuildOutcome,
    NotAttemptedError,
)

from ..hostile._server import build_document
from ._support import listing_first

IDS = [f"build-{number:03d}" for number in range(300)]
CONCURRENCY = 8


def _slow_handler(state: dict[str, Any]) -> Any:
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["started"] += 1
            if state["interrupted"]:
                state["started_after"] += 1
        time.sleep(0.02)
        build_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=build_document(build_id))

    return handler


def test_interrupted_sync_batch_reports_every_id(api_key: ApiKey) -> None:
    state = {"started": 0, "started_after": 0, "interrupted": False}
    done: list[BuildOutcome] = []

    def on_outcome(outcome: BuildOutcome) -> None:
        done.append(outcome)
        if len(done) == 20:
            # Ctrl-C lands in the main thread, which runs on_outcome: simulate it there.
            state["interrupted"] = True
            raise KeyboardInterrupt

    transport = httpx.MockTransport(listing_first(_slow_handler(state)))
    with (
        AppStoreConnect(api_key, transport=transport) as asc,
        pytest.raises(BatchInterrupted) as caught,
    ):
        asc.builds.expire_many(IDS, concurrency=CONCURRENCY, on_outcome=on_outcome)
    outcomes = caught.value.outcomes
    assert isinstance(caught.value, KeyboardInterrupt)
    assert [outcome.build_id for outcome in outcomes] == IDS
    assert state["started_after"] <= CONCURRENCY
    statuses = [outcome.status for outcome in outcomes]
    assert statuses.count("changed") == state["started"]
    assert statuses.count("not attempted") == len(IDS) - state["started"]
    assert all(
        isinstance(o.error, NotAttemptedError) for o in outcomes if o.status == "not attempted"
    )


async def test_cancelled_async_batch_reports_every_id_through_on_outcome(
    api_key: ApiKey,
) -> None:
    started = 0
    started_after_cancel = 0
    cancelled = False

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal started, started_after_cancel
        started += 1
        started_after_cancel += cancelled
        await asyncio.sleep(0.02)
        build_id = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=build_document(build_id))

    heard: list[BuildOutcome] = []
    transport = httpx.MockTransport(listing_first(handler))
    async with AsyncAppStoreConnect(api_key, transport=transport) as asc:
        task = asyncio.create_task(
            asc.builds.expire_many(IDS, concurrency=CONCURRENCY, on_outcome=heard.append)
        )
        for _ in range(500):
            if len(heard) >= 20:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        cancelled = True
        with pytest.raises(asyncio.CancelledError):
            await task
    assert started_after_cancel == 0
    assert sorted(outcome.build_id for outcome in heard) == sorted(IDS)
    statuses = [outcome.status for outcome in heard]
    assert statuses.count("changed") >= 20
    # The ones cut off in flight are failures that may have been applied.
    assert statuses.count("changed") + statuses.count("failed") == started
    assert statuses.count("not attempted") == len(IDS) - started


_WAITING_FOR_THE_BUDGET = r"""
import json, sys, threading, time
import httpx
from asc_builds import APIKey, AppStoreConnect, BatchInterrupted
from asc_builds.testing import make_throwaway_key
from tests.hostile._server import build_document
from tests.wrapper._support import builds_listing

lock = threading.Lock()
sent = []

def handler(request):
    with lock:
        sent.append(request.method)
        remaining = max(0, 3 - len(sent))
    # Three requests an hour: the batch's read and two PATCHes; after them, every worker
    # waits for the budget (an hour).
    headers = {"X-Rate-Limit": f"user-hour-lim:3;user-hour-rem:{remaining};"}
    if request.method == "GET":
        ids = request.url.params["filter[id]"].split(",")
        return httpx.Response(200, json=builds_listing(ids), headers=headers)
    build_id = request.url.path.rsplit("/", 1)[-1]
    return httpx.Response(200, content=build_document(build_id), headers=headers)

key = make_throwaway_key()
api_key = APIKey(key_id=key.key_id, issuer_id=key.issuer_id, private_key=key.private_key_pem)
heard = []

def on_outcome(outcome):
    heard.append(outcome)
    if len(heard) == 2:
        time.sleep(0.5)  # the workers are waiting for the budget by now
        raise KeyboardInterrupt

started = time.monotonic()
with AppStoreConnect(api_key, transport=httpx.MockTransport(handler)) as asc:
    try:
        asc.builds.expire_many([f"b{n}" for n in range(10)], concurrency=3, on_outcome=on_outcome)
    except BatchInterrupted as interrupted:
        statuses = [outcome.status for outcome in interrupted.outcomes]
patches = sent.count("PATCH")
print(json.dumps({"sent": patches, "statuses": statuses, "seconds": time.monotonic() - started}))
"""


def test_ctrl_c_ends_a_wait_for_the_hourly_budget(project_root: Any) -> None:
    # In a subprocess: a regression would leave worker threads waiting an hour.
    completed = subprocess.run(
        [sys.executable, "-c", _WAITING_FOR_THE_BUDGET],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=project_root,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    # The first requests go before the budget is known: up to one per thread.
    assert 2 <= report["sent"] <= 3
    assert report["statuses"].count("changed") == report["sent"]
    assert report["statuses"].count("not attempted") == 10 - report["sent"]
    assert report["seconds"] < 30
