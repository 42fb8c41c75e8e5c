"""Answers that cannot be trusted: every read checks what came back, every loop is bounded.

Each test serves the fake's real answers through a transport that spoils one thing, and
checks the typed error and the requests sent (no PATCH where none may go).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asc_builds import (
    AmbiguousAppError,
    AppStoreConnect,
    AsyncAppStoreConnect,
    BudgetExhaustedError,
    ConflictError,
    InvalidInputError,
    RateBudget,
    RateLimit,
    ResponseValidationError,
    WaitTimeoutError,
)
from asc_builds import _paging as paging
from asc_builds._budget import BudgetTicket, BudgetWait, pace
from asc_builds.jobs import DeclarationRefusedError
from asc_builds.testing import FakeAppStoreConnect, ManualClock

from ..steps import run_steps
from .conftest import APP_ID

Spoil = Callable[[httpx.Request, Any], Any]


def _client(fake: FakeAppStoreConnect, clock: ManualClock, spoil: Spoil, **options: Any) -> Any:
    """A client of `fake` whose JSON answers pass through `spoil(request, document)`."""
    inner = fake.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        content = response.read()
        if not content or not response.headers.get("content-type", "").startswith("application"):
            return response
        document = spoil(request, json.loads(content))
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        headers = {"content-type": "application/json"}
        return httpx.Response(response.status_code, content=body, headers=headers)

    key = fake.add_throwaway_key().api_key()
    settings: dict[str, Any] = {"now": clock.now, "sleep": clock.sleep, **options}
    return AppStoreConnect(key, transport=httpx.MockTransport(handle), **settings)


def _patches(fake: FakeAppStoreConnect) -> int:
    return sum(1 for request in fake.requests if request.method == "PATCH")


def _when(path_part: str, change: Callable[[Any], None]) -> Spoil:
    """Spoils the reads (GET) whose path holds `path_part`; errors pass as they are."""

    def spoil(request: httpx.Request, document: Any) -> Any:
        readable = isinstance(document, dict) and "data" in document
        if request.method == "GET" and path_part in request.url.path and readable:
            change(document)
        return document

    return spoil


# -- the declaration pre-flight fails closed ---------------------------------------------


@pytest.mark.parametrize("state", ["REVOKED", "rejected", None])
def test_a_state_not_known_to_be_assignable_is_refused(
    fake: FakeAppStoreConnect, clock: ManualClock, state: str | None
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID, state="APPROVED")
    build = fake.add_build(app_id=APP_ID)

    def set_state(document: Any) -> None:
        document["data"]["attributes"]["appEncryptionDeclarationState"] = state

    with (
        _client(fake, clock, _when("/appEncryptionDeclarations/", set_state)) as asc,
        pytest.raises(DeclarationRefusedError) as caught,
    ):
        asc.builds.assign_encryption_declaration(build.id, declaration.id)
    assert caught.value.reason == "state"
    assert ("has no state" if state is None else state) in str(caught.value)
    assert _patches(fake) == 0


@pytest.mark.parametrize("side", ["/appEncryptionDeclarations/", "/builds/"])
def test_missing_app_linkage_on_either_side_is_refused(
    fake: FakeAppStoreConnect, clock: ManualClock, side: str
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(app_id=APP_ID)

    def drop_app(document: Any) -> None:
        document["data"].get("relationships", {}).pop("app", None)

    with (
        _client(fake, clock, _when(side, drop_app)) as asc,
        pytest.raises(DeclarationRefusedError) as caught,
    ):
        asc.builds.assign_encryption_declaration(build.id, declaration.id)
    assert caught.value.reason == "no app"
    assert _patches(fake) == 0


def test_an_answer_about_another_declaration_is_refused(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(app_id=APP_ID)

    def other(document: Any) -> None:
        document["data"]["id"] = "another-declaration"

    with (
        _client(fake, clock, _when("/appEncryptionDeclarations/", other)) as asc,
        pytest.raises(DeclarationRefusedError) as caught,
    ):
        asc.builds.assign_encryption_declaration(build.id, declaration.id)
    assert caught.value.reason == "unreadable"
    assert "another-declaration" in str(caught.value)
    assert _patches(fake) == 0


# -- identity: every read is of the resource asked for -----------------------------------


def test_get_answered_with_another_build_is_an_error(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    build = fake.add_build(app_id=APP_ID)

    def other(document: Any) -> None:
        document["data"]["id"] = "OTHER"

    with (
        _client(fake, clock, _when("/builds/", other)) as asc,
        pytest.raises(ResponseValidationError, match="'OTHER', not"),
    ):
        asc.builds.get(build.id)


def test_a_409_re_read_about_another_build_is_never_already(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    build = fake.add_build(app_id=APP_ID, expired=True)

    def other(document: Any) -> None:
        document["data"]["id"] = "ANOTHER-EXPIRED-BUILD"

    with (
        _client(fake, clock, _when(f"/builds/{build.id}", other)) as asc,
        pytest.raises(ConflictError) as caught,
    ):
        asc.builds.apply(build.id, expired=True)
    assert any("re-reading" in note for note in caught.value.__notes__)


def test_a_listing_of_another_type_is_an_error(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    fake.add_build(app_id=APP_ID)

    def apps(document: Any) -> None:
        for item in document["data"]:
            item["type"] = "apps"

    with (
        _client(fake, clock, _when("/v1/builds", apps)) as asc,
        pytest.raises(ResponseValidationError, match="type 'apps'"),
    ):
        list(asc.builds.list(app_id=APP_ID))


def test_deep_json_on_a_read_is_a_typed_error(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    build = fake.add_build(app_id=APP_ID)

    def deep(request: httpx.Request, document: Any) -> Any:
        return b"[" * 100_000 + b"]" * 100_000

    with (
        _client(fake, clock, deep) as asc,
        pytest.raises(ResponseValidationError, match="nested deeper"),
    ):
        asc.builds.get(build.id)


# -- listings are bounded --------------------------------------------------------------


BUILDS = "https://api.appstoreconnect.apple.com/v1/builds"


def _pages(next_link: Callable[[str], object]) -> tuple[httpx.MockTransport, list[str]]:
    """A server of build pages, one build each, whose `links.next` is `next_link(url)`."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        item = {"type": "builds", "id": f"b-{len(seen)}", "attributes": {"version": "1"}}
        links = {"self": str(request.url), "next": next_link(str(request.url))}
        return httpx.Response(200, json={"data": [item], "links": links})

    return httpx.MockTransport(handle), seen


def _listing(fake: FakeAppStoreConnect, transport: httpx.MockTransport) -> list[str]:
    with AppStoreConnect(fake.add_throwaway_key().api_key(), transport=transport) as asc:
        return [info.id for info in asc.builds.list(app_id=APP_ID, include=())]


def test_two_pages_that_link_to_each_other_stop_with_a_typed_error(
    fake: FakeAppStoreConnect,
) -> None:
    transport, seen = _pages(
        lambda url: f"{BUILDS}?cursor=B" if url.endswith("cursor=A") else f"{BUILDS}?cursor=A"
    )
    with pytest.raises(ResponseValidationError, match="page already read"):
        _listing(fake, transport)
    assert len(seen) == 3, "the first page, A, B: then A again is refused"


@pytest.mark.parametrize(
    ("next_link", "error"),
    [
        (42, "JSON int, not a URL"),
        (f"{BUILDS[: -len('builds')]}apps?cursor=X", "'/v1/apps', not"),
        ("https://elsewhere.test/v1/builds?cursor=X", "outside https://api.appstore"),
    ],
)
def test_a_next_link_that_is_not_the_listing_is_refused(
    fake: FakeAppStoreConnect, next_link: object, error: str
) -> None:
    transport, seen = _pages(lambda url: next_link)
    with pytest.raises(ResponseValidationError, match=error):
        _listing(fake, transport)
    assert len(seen) == 1


def test_endless_pages_stop_after_max_pages(
    fake: FakeAppStoreConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "MAX_PAGES", 5)
    counter = iter(range(1_000))
    transport, seen = _pages(lambda url: f"{BUILDS}?cursor={next(counter)}")
    with pytest.raises(ResponseValidationError, match="more than 5 pages"):
        _listing(fake, transport)
    assert len(seen) == 5


def test_a_build_listed_twice_is_handed_out_once(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    build = fake.add_build(app_id=APP_ID)

    def twice(request: httpx.Request, document: Any) -> Any:
        if request.url.path == "/v1/builds":
            document["data"] = document["data"] * 2
        return document

    with _client(fake, clock, twice) as asc:
        assert [info.id for info in asc.builds.list(app_id=APP_ID)] == [build.id]


def test_apps_find_reads_on_to_the_exact_bundle_id_and_refuses_two(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    exact = {"type": "apps", "id": "app-2", "attributes": {"bundleId": "com.example.tool"}}
    near = {"type": "apps", "id": "app-3", "attributes": {"bundleId": "com.example.tool.kit"}}

    def pages(twice: bool) -> Callable[[httpx.Request], httpx.Response]:
        def handle(request: httpx.Request) -> httpx.Response:
            if "cursor=2" not in str(request.url):
                link = "https://api.appstoreconnect.apple.com/v1/apps?cursor=2"
                page = {"data": [near], "links": {"self": str(request.url), "next": link}}
            else:
                page = {"data": [exact, {**exact, "id": "app-4"}] if twice else [exact]}
                page["links"] = {"self": str(request.url)}
            return httpx.Response(200, json=page)

        return handle

    key = fake.add_throwaway_key().api_key()
    with AppStoreConnect(key, transport=httpx.MockTransport(pages(False))) as asc:
        assert asc.apps.find(bundle_id="com.example.tool").id == "app-2"
    with (
        AppStoreConnect(key, transport=httpx.MockTransport(pages(True))) as asc,
        pytest.raises(AmbiguousAppError) as caught,
    ):
        asc.apps.find(bundle_id="com.example.tool")
    assert caught.value.app_ids == ("app-2", "app-4")


# -- waits outlast passing faults, and end on time -----------------------------------------


def test_a_build_that_goes_missing_is_said_so_when_the_wait_ends(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    build = fake.add_build(app_id=APP_ID, processing_state="PROCESSING", version="7")
    polls = iter(range(1_000))

    def vanish(request: httpx.Request, document: Any) -> Any:
        if request.url.path == "/v1/builds" and next(polls) > 0:
            document["data"] = []
        return document

    with (
        _client(fake, clock, vanish) as asc,
        pytest.raises(WaitTimeoutError, match="listed earlier, then missing"),
    ):
        asc.builds.wait_until_processed(app_id=APP_ID, build_number="7", timeout=300)
    assert build.id


def test_a_burst_of_503s_is_a_missed_poll_not_the_end(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    build = fake.add_build(app_id=APP_ID, processing_state="PROCESSING")
    inner = fake.transport()
    answers = iter(range(1_000))

    def handle(request: httpx.Request) -> httpx.Response:
        if next(answers) < 4:
            return httpx.Response(503, json={"errors": [{"status": "503", "code": "X"}]})
        fake.set_processing_state(build.id, "VALID")
        return inner.handle_request(request)

    key = fake.add_throwaway_key().api_key()
    transport = httpx.MockTransport(handle)
    with AppStoreConnect(
        key, transport=transport, now=clock.now, sleep=clock.sleep, max_retries=1
    ) as asc:
        assert asc.builds.wait_until_processed(build.id, timeout=600).processing_state == "VALID"


# -- the hourly budget cannot stop the client for good ----------------------------------


@pytest.mark.parametrize("header", [(0, 0), (10, -1), (10, 11), (-5, 0)])
def test_a_nonsensical_rate_limit_header_is_ignored(header: tuple[int, int]) -> None:
    budget = RateBudget()
    limit, remaining = header
    for moment in range(3):
        ticket = budget.try_acquire(float(moment))
        budget.settle(ticket, RateLimit(limit=limit, remaining=remaining), float(moment))  # type: ignore[arg-type]
    assert budget.status(3.0).limit is None
    assert isinstance(budget.try_acquire(3.0), BudgetTicket), "paced as if nothing was said"


def test_a_reserve_at_or_above_the_announced_limit_is_refused_at_once() -> None:
    budget = RateBudget(reserve=200)
    ticket = budget.try_acquire(0.0)
    budget.settle(ticket, RateLimit(limit=100, remaining=99), 0.0)  # type: ignore[arg-type]
    with pytest.raises(BudgetExhaustedError, match="reserve"):
        budget.try_acquire(1.0)


def test_no_wait_for_a_slot_is_longer_than_the_window() -> None:
    budget = RateBudget()
    ticket = budget.try_acquire(0.0)
    # Others spent everything: the earliest slot is a window after this announcement.
    budget.settle(ticket, RateLimit(limit=10, remaining=0), 0.0)  # type: ignore[arg-type]
    decision = budget.try_acquire(0.0)
    assert isinstance(decision, BudgetWait)
    assert 0 < decision.seconds <= budget.window


def test_a_budget_shared_by_clients_on_two_event_loops(fake: FakeAppStoreConnect) -> None:
    build = fake.add_build(app_id=APP_ID)
    budget = RateBudget()
    errors: list[BaseException] = []

    async def use() -> None:
        async with fake.async_client(budget=budget) as asc:
            await asyncio.gather(*(asc.builds.get(build.id) for _ in range(3)))
            assert budget.async_waiters is budget.async_waiters

    def in_its_own_loop() -> None:
        try:
            asyncio.run(use())
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=in_its_own_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


# -- ids that cannot be sent are refused before anything is ----------------------------


def test_an_id_with_a_lone_surrogate_is_refused_before_anything_is_sent(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    build = fake.add_build(app_id=APP_ID)
    with pytest.raises(InvalidInputError, match="cannot be sent"):
        asc.builds.expire_many([build.id, "abc\udcff"])
    assert fake.requests == ()


async def test_the_async_client_refuses_it_too(
    fake: FakeAppStoreConnect, async_asc: AsyncAppStoreConnect
) -> None:
    with pytest.raises(InvalidInputError, match="cannot be sent"):
        await async_asc.builds.get("abc\udcff")
    assert fake.requests == ()


def test_a_long_budget_wait_is_a_warning_and_a_short_one_is_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    budget = RateBudget()
    ticket = budget.try_acquire(0.0)
    budget.settle(ticket, RateLimit(limit=1, remaining=0), 0.0)  # type: ignore[arg-type]
    slept: list[float] = []
    moments = iter([0.0, 0.0, 3598.0, 3600.0])
    paced = pace(budget, lambda: next(moments))
    assert not isinstance(paced, BudgetTicket)
    with caplog.at_level(logging.INFO, logger="asc_builds"):
        run_steps(paced.steps, slept.append)
    levels = [(record.levelno, record.wait_seconds) for record in caplog.records]  # type: ignore[attr-defined]
    assert levels == [(logging.WARNING, 3600.0), (logging.INFO, 2.0)]
    assert slept == [3600.0, 2.0]


def test_max_wait_holds_for_each_thread_queued_behind_others() -> None:
    budget = RateBudget(max_wait=0.3)
    ticket = budget.try_acquire(time.time())
    budget.settle(ticket, RateLimit(limit=1, remaining=0), time.time())  # type: ignore[arg-type]
    waited: list[float] = []

    def one() -> None:
        started = time.monotonic()
        paced = pace(budget, time.time)
        assert not isinstance(paced, BudgetTicket)
        with contextlib.suppress(BudgetExhaustedError):
            run_steps(paced.steps, time.sleep)
        waited.append(time.monotonic() - started)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(waited) == 8
    assert max(waited) < 0.3 + 0.5, waited
