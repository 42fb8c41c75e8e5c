"""The async client: the same surface, awaitable; retries and 401 replay through the same code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asc_builds import ApiKey, AsyncAppStoreConnect, AuthenticationError, ServerError
from asc_builds_generated.models import Build

from ._support import (
    BUILD_ID,
    DECLARATION_ID,
    FakeClock,
    RecordedSleeps,
    ScriptedServer,
    error_body,
)

MakeAsync = Callable[..., AsyncAppStoreConnect]


@pytest.fixture
async def make_async(
    api_key: ApiKey, clock: FakeClock, sleeps: RecordedSleeps
) -> AsyncIterator[MakeAsync]:
    clients: list[AsyncAppStoreConnect] = []

    def make(server: ScriptedServer, **options: Any) -> AsyncAppStoreConnect:
        settings: dict[str, Any] = {
            "transport": server.transport(),
            "now": clock,
            "sleep": sleeps.async_sleep,
            "random": lambda: 0.0,
        }
        settings.update(options)
        client = AsyncAppStoreConnect(api_key, **settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def _ok(example_response: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json=example_response)


async def test_every_method(
    make_async: MakeAsync, example_response: dict[str, Any], example_request: dict[str, Any]
) -> None:
    server = ScriptedServer([_ok(example_response)] * 4)
    asc = make_async(server)
    assert isinstance(await asc.builds.expire(BUILD_ID), Build)
    await asc.builds.set_uses_non_exempt_encryption(BUILD_ID, True)
    # Only the PATCHes here: the declaration check's reads are tested in tests/jobs.
    await asc.builds.assign_encryption_declaration(
        BUILD_ID, DECLARATION_ID, check_declaration=False
    )
    build = await asc.builds.update(
        BUILD_ID,
        uses_non_exempt_encryption=True,
        encryption_declaration_id=DECLARATION_ID,
        check_declaration=False,
    )
    assert build.id == BUILD_ID
    bodies = server.bodies()
    assert bodies[0]["data"]["attributes"] == {"expired": True}
    assert bodies[1]["data"]["attributes"] == {"usesNonExemptEncryption": True}
    assert "attributes" not in bodies[2]["data"]
    assert bodies[3] == example_request


async def test_retries_use_the_injected_async_sleep(
    make_async: MakeAsync, example_response: dict[str, Any], sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer(
        [
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.ReadError("reset"),
            _ok(example_response),
        ]
    )
    await make_async(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [3.0, 1.0]


async def test_bounded_and_per_call_override(make_async: MakeAsync, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer([httpx.Response(503, json=error_body())] * 2)
    with pytest.raises(ServerError):
        await make_async(server).builds.expire(BUILD_ID, max_retries=1)
    assert len(server.requests) == 2
    assert sleeps.waits == [0.5]


async def test_401_replayed_once_with_a_new_token(
    make_async: MakeAsync, example_response: dict[str, Any]
) -> None:
    server = ScriptedServer([httpx.Response(401, json=error_body()), _ok(example_response)])
    await make_async(server).builds.expire(BUILD_ID)
    first, second = server.tokens()
    assert first != second

    server = ScriptedServer([httpx.Response(401, json=error_body())] * 2)
    with pytest.raises(AuthenticationError):
        await make_async(server).builds.expire(BUILD_ID)
    assert len(server.requests) == 2


async def test_rate_limit_and_caller_client(
    api_key: ApiKey, example_response: dict[str, Any]
) -> None:
    server = ScriptedServer(
        [httpx.Response(200, json=example_response, headers={"X-Rate-Limit": "user-hour-rem:9;"})]
    )
    http = httpx.AsyncClient(transport=server.transport())
    async with AsyncAppStoreConnect(api_key, http_client=http) as asc:
        await asc.builds.expire(BUILD_ID)
        assert asc.last_rate_limit is not None
        assert asc.last_rate_limit.remaining == 9
    assert not http.is_closed
    await http.aclose()


async def test_bad_id_sends_nothing(make_async: MakeAsync) -> None:
    server = ScriptedServer([])
    with pytest.raises(ValueError, match="build id"):
        await make_async(server).builds.expire("a/b")
    assert server.requests == []
