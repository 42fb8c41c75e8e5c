"""The clients compared per call, each sending one PATCH /v1/builds/{id} and reading the answer.

Each contender times its own calls (perf_counter_ns around each call, nothing else inside),
so set-up and the event loop's start do not count. Every one talks to the same server and
is called the way its documentation shows.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Protocol

import httpx
from asc_builds import AppStoreConnect, AsyncAppStoreConnect

from .keys import BenchKey
from .peer import make_peer_client

__all__ = [
    "BUILD_ID",
    "REQUEST_BODY",
    "AscAsync",
    "AscSync",
    "AsyncHttpxByHand",
    "Contender",
    "HttpxByHand",
    "Peer",
    "RawHttpx",
]

BUILD_ID = "932eff64-a144-4350-8d10-9e54d5834aee"
REQUEST_BODY = json.dumps(
    {"data": {"type": "builds", "id": BUILD_ID, "attributes": {"expired": True}}},
    separators=(",", ":"),
).encode()


class Contender(Protocol):
    name: str

    def run(self, calls: int) -> list[int]:
        """Make `calls` calls one after another; the duration of each in nanoseconds."""
        ...

    def close(self) -> None: ...


def _check(status: int, build_id: object) -> None:
    # A contender that got an error would be measured doing less work: refuse that.
    if status != 200 or build_id != BUILD_ID:
        raise RuntimeError(f"unexpected answer: status {status}, id {build_id!r}")


class RawHttpx:
    """The floor: one prepared request re-sent on a kept-alive httpx connection."""

    name = "raw httpx (floor)"

    def __init__(self, base_url: str, token: str) -> None:
        self._client = httpx.Client()
        self._request = self._client.build_request(
            "PATCH",
            f"{base_url}/v1/builds/{BUILD_ID}",
            content=REQUEST_BODY,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        _check(self._client.send(self._request).status_code, BUILD_ID)

    def run(self, calls: int) -> list[int]:
        send, request, clock = self._client.send, self._request, time.perf_counter_ns
        durations = []
        for _ in range(calls):
            started = clock()
            send(request)
            durations.append(clock() - started)
        return durations

    def close(self) -> None:
        self._client.close()


class HttpxByHand:
    """What a user writing it by hand with httpx does: build each request, decode the JSON."""

    name = "httpx by hand (+ .json())"

    def __init__(self, base_url: str, token: str) -> None:
        self._client = httpx.Client()
        self._url = f"{base_url}/v1/builds/{BUILD_ID}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._body = json.loads(REQUEST_BODY)
        response = self._client.patch(self._url, json=self._body, headers=self._headers)
        _check(response.status_code, response.json()["data"]["id"])

    def run(self, calls: int) -> list[int]:
        clock = time.perf_counter_ns
        durations = []
        for _ in range(calls):
            started = clock()
            self._client.patch(self._url, json=self._body, headers=self._headers).json()
            durations.append(clock() - started)
        return durations

    def close(self) -> None:
        self._client.close()


class AsyncHttpxByHand:
    """The same by hand with `httpx.AsyncClient`, awaited one call at a time on one loop."""

    name = "httpx AsyncClient by hand (+ .json())"

    def __init__(self, base_url: str, token: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient()
        self._url = f"{base_url}/v1/builds/{BUILD_ID}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._body = json.loads(REQUEST_BODY)
        response = self._loop.run_until_complete(
            self._client.patch(self._url, json=self._body, headers=self._headers)
        )
        _check(response.status_code, response.json()["data"]["id"])

    async def _run(self, calls: int) -> list[int]:
        patch, clock = self._client.patch, time.perf_counter_ns
        durations = []
        for _ in range(calls):
            started = clock()
            (await patch(self._url, json=self._body, headers=self._headers)).json()
            durations.append(clock() - started)
        return durations

    def run(self, calls: int) -> list[int]:
        return self._loop.run_until_complete(self._run(calls))

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


class AscSync:
    """asc-builds' synchronous client, as documented: `client.builds.expire(id)`."""

    name = "asc-builds sync"

    def __init__(self, base_url: str, key: BenchKey) -> None:
        self._client = AppStoreConnect(key.api_key(), base_url=base_url)
        _check(200, self._client.builds.expire(BUILD_ID).id)

    def run(self, calls: int) -> list[int]:
        client, clock = self._client, time.perf_counter_ns
        durations = []
        for _ in range(calls):
            started = clock()
            client.builds.expire(BUILD_ID)
            durations.append(clock() - started)
        return durations

    def close(self) -> None:
        self._client.close()


class AscAsync:
    """asc-builds' asyncio client, awaited one call at a time on one long-lived loop."""

    name = "asc-builds async"

    def __init__(self, base_url: str, key: BenchKey) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = AsyncAppStoreConnect(key.api_key(), base_url=base_url)
        build = self._loop.run_until_complete(self._client.builds.expire(BUILD_ID))
        _check(200, build.id)

    async def _run(self, calls: int) -> list[int]:
        client, clock = self._client, time.perf_counter_ns
        durations = []
        for _ in range(calls):
            started = clock()
            await client.builds.expire(BUILD_ID)
            durations.append(clock() - started)
        return durations

    def run(self, calls: int) -> list[int]:
        return self._loop.run_until_complete(self._run(calls))

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


class Peer:
    """codemagic-cli-tools: `client.builds.modify(id, expired=True)`."""

    name = "codemagic-cli-tools"

    def __init__(self, base_url: str, key: BenchKey) -> None:
        self._client: Any = make_peer_client(key, base_url)
        _check(200, self._client.builds.modify(BUILD_ID, expired=True).id)

    def run(self, calls: int) -> list[int]:
        client, clock = self._client, time.perf_counter_ns
        durations = []
        for _ in range(calls):
            started = clock()
            # `builds` is a property making a new resource object: users pay that too.
            client.builds.modify(BUILD_ID, expired=True)
            durations.append(clock() - started)
        return durations

    def close(self) -> None:
        self._client.session.close()
