"""expire_many: one outcome per id in input order, bounded concurrency, failures isolated."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asc_builds import ApiKey, AppStoreConnect, AsyncAppStoreConnect, BuildOutcome, NotFoundError

from ._support import RecordedSleeps, error_body, listing_first

MakeClient = Callable[..., AppStoreConnect]


def _respond(request: httpx.Request, example_response: dict[str, Any]) -> httpx.Response:
    build_id = json.loads(request.content)["data"]["id"]
    if build_id.startswith("missing"):
        return httpx.Response(
            404,
            json=error_body({"status": "404", "code": "NOT_FOUND", "title": "Not found"}),
        )
    document = json.loads(json.dumps(example_response))
    document["data"]["id"] = build_id
    return httpx.Response(200, json=document)


def test_one_outcome_per_id_in_input_order(
    api_key: ApiKey, example_response: dict[str, Any], sleeps: RecordedSleeps
) -> None:
    ids = ["b1", "missing-2", "b3", "missing-4", "b5"]

    def handler(request: httpx.Request) -> httpx.Response:
        return _respond(request, example_response)

    with AppStoreConnect(
        api_key, transport=httpx.MockTransport(listing_first(handler)), sleep=sleeps
    ) as asc:
        outcomes = asc.builds.expire_many(ids, concurrency=3)

    assert [outcome.build_id for outcome in outcomes] == ids
    assert [outcome.ok for outcome in outcomes] == [True, False, True, False, True]
    assert [o.build.id for o in outcomes if o.build is not None] == ["b1", "b3", "b5"]
    assert isinstance(outcomes[1].error, NotFoundError)
    assert isinstance(outcomes[3].error, NotFoundError)
    assert outcomes[0].unwrap().id == "b1"
    with pytest.raises(NotFoundError):
        outcomes[1].unwrap()


def test_threads_run_up_to_the_concurrency_and_no_further(
    api_key: ApiKey, example_response: dict[str, Any]
) -> None:
    concurrency = 3
    # Each of the first `concurrency` requests waits for the others: if fewer than that ran
    # at once, the barrier breaks (bounded by its timeout) and the outcome is an error.
    barrier = threading.Barrier(concurrency, timeout=10)
    lock = threading.Lock()
    in_flight = 0
    peak = 0
    seen = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak, seen
        with lock:
            in_flight += 1
            seen += 1
            peak = max(peak, in_flight)
            first_wave = seen <= concurrency
        try:
            if first_wave:
                barrier.wait()
            return _respond(request, example_response)
        finally:
            with lock:
                in_flight -= 1

    ids = [f"b{n}" for n in range(10)]
    with AppStoreConnect(
        api_key, transport=httpx.MockTransport(listing_first(handler)), max_retries=0
    ) as asc:
        outcomes = asc.builds.expire_many(ids, concurrency=concurrency)
    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes]
    assert peak == concurrency


async def test_async_tasks_run_up_to_the_concurrency_and_no_further(
    api_key: ApiKey, example_response: dict[str, Any]
) -> None:
    concurrency = 4
    in_flight = 0
    peak = 0
    enough = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight >= concurrency:
            enough.set()
        try:
            await asyncio.wait_for(enough.wait(), timeout=10)
            return _respond(request, example_response)
        finally:
            in_flight -= 1

    ids = [f"b{n}" for n in range(12)] + ["missing-x"]
    async with AsyncAppStoreConnect(
        api_key, transport=httpx.MockTransport(listing_first(handler)), max_retries=0
    ) as asc:
        outcomes = await asc.builds.expire_many(ids, concurrency=concurrency)
    assert [outcome.build_id for outcome in outcomes] == ids
    assert [outcome.ok for outcome in outcomes] == [True] * 12 + [False]
    assert peak == concurrency


@pytest.mark.parametrize("concurrency", [0, -1, 65, True])
def test_concurrency_out_of_range_is_refused(api_key: ApiKey, concurrency: int) -> None:
    with (
        AppStoreConnect(
            api_key, transport=httpx.MockTransport(lambda r: httpx.Response(500))
        ) as asc,
        pytest.raises(ValueError, match="concurrency"),
    ):
        asc.builds.expire_many(["b1"], concurrency=concurrency)


def test_no_ids_no_requests(api_key: ApiKey) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing should be sent")

    with AppStoreConnect(api_key, transport=httpx.MockTransport(listing_first(handler))) as asc:
        assert asc.builds.expire_many([]) == []


def test_on_outcome_reports_each_outcome_on_the_calling_thread(
    api_key: ApiKey, example_response: dict[str, Any]
) -> None:
    ids = ["b1", "missing-2", "b3"]
    reported: list[tuple[str, bool, threading.Thread]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return _respond(request, example_response)

    def on_outcome(outcome: BuildOutcome) -> None:
        reported.append((outcome.build_id, outcome.ok, threading.current_thread()))

    with AppStoreConnect(api_key, transport=httpx.MockTransport(listing_first(handler))) as asc:
        outcomes = asc.builds.expire_many(ids, concurrency=2, on_outcome=on_outcome)
    assert sorted((build_id, ok) for build_id, ok, _ in reported) == [
        ("b1", True),
        ("b3", True),
        ("missing-2", False),
    ]
    assert {thread for _, _, thread in reported} == {threading.current_thread()}
    assert [outcome.build_id for outcome in outcomes] == ids


async def test_async_on_outcome(api_key: ApiKey, example_response: dict[str, Any]) -> None:
    reported: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return _respond(request, example_response)

    async with AsyncAppStoreConnect(
        api_key, transport=httpx.MockTransport(listing_first(handler))
    ) as asc:
        await asc.builds.expire_many(
            ["b1", "missing-2"], on_outcome=lambda outcome: reported.append(outcome.build_id)
        )
    assert sorted(reported) == ["b1", "missing-2"]


@pytest.mark.parametrize("bad_id", ["bad/4", "", ".."])
async def test_a_bad_id_sends_nothing_at_all(api_key: ApiKey, bad_id: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing should be sent")

    transport = httpx.MockTransport(handler)
    with AppStoreConnect(api_key, transport=transport) as asc, pytest.raises(ValueError):
        asc.builds.expire_many(["b1", bad_id, "b3"])
    async with AsyncAppStoreConnect(api_key, transport=transport) as async_asc:
        with pytest.raises(ValueError, match="build id"):
            await async_asc.builds.expire_many(["b1", bad_id])
