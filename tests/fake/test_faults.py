"""Each fault kind on each adapter: sync transport, async transport, loopback server."""

from __future__ import annotations

import json

import httpx
import pytest
from asc_builds.testing import (
    Delay,
    DropConnection,
    FakeAppStoreConnect,
    FakeBuild,
    MalformedBody,
    ManualClock,
    RateLimited,
    ServerErrorFault,
)

from ._support import BUILD_ID, update_body

EXPIRE = update_body(attributes={"expired": True})
PATH = f"/v1/builds/{BUILD_ID}"
ENCRYPTION_OFF = {"usesNonExemptEncryption": False}


@pytest.fixture(params=["transport", "server"])
def http(request: pytest.FixtureRequest, client: httpx.Client, build: FakeBuild) -> httpx.Client:
    chosen: httpx.Client = request.getfixturevalue(
        "client" if request.param == "transport" else "server_client"
    )
    return chosen


def test_rate_limited_with_retry_after(http: httpx.Client, fake: FakeAppStoreConnect) -> None:
    fake.inject(RateLimited(retry_after=3))
    response = http.patch(PATH, json=EXPIRE)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert [e["code"] for e in response.json()["errors"]] == ["RATE_LIMIT_EXCEEDED"]
    assert fake.build(BUILD_ID).expired is False
    assert http.patch(PATH, json=EXPIRE).status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors(http: httpx.Client, fake: FakeAppStoreConnect, status: int) -> None:
    fake.inject(ServerErrorFault(status))  # type: ignore[arg-type]
    response = http.patch(PATH, json=EXPIRE)
    assert response.status_code == status
    if status == 500:
        assert response.json()["errors"][0]["code"] == "UNEXPECTED_ERROR"
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert str(status) in response.text
    assert fake.build(BUILD_ID).expired is False


def test_next_n_requests_fail_then_recover(http: httpx.Client, fake: FakeAppStoreConnect) -> None:
    fake.inject(ServerErrorFault(503), times=2)
    fake.inject(RateLimited())
    assert len(fake.pending_faults) == 3
    statuses = [http.patch(PATH, json=EXPIRE).status_code for _ in range(4)]
    assert statuses == [503, 503, 429, 200]
    assert not fake.pending_faults
    assert [r.status for r in fake.requests] == statuses


def test_protocol_drop_processes_then_loses_the_answer(
    http: httpx.Client, fake: FakeAppStoreConnect
) -> None:
    fake.inject(DropConnection("protocol"))
    with pytest.raises(httpx.RemoteProtocolError):
        http.patch(PATH, json=EXPIRE)
    assert fake.build(BUILD_ID).expired is True
    assert fake.requests[-1].status is None
    assert fake.requests[-1].fault == DropConnection("protocol")


def test_connect_drop_never_processes(http: httpx.Client, fake: FakeAppStoreConnect) -> None:
    fake.inject(DropConnection("connect"))
    # The loopback server has already accepted the socket, so it can only hang up.
    with pytest.raises((httpx.ConnectError, httpx.RemoteProtocolError)):
        http.patch(PATH, json=EXPIRE)
    assert fake.build(BUILD_ID).expired is False
    assert http.patch(PATH, json=EXPIRE).status_code == 200


@pytest.mark.parametrize("kind", ["not_json", "truncated"])
def test_malformed_bodies(http: httpx.Client, fake: FakeAppStoreConnect, kind: str) -> None:
    fake.inject(MalformedBody(kind))  # type: ignore[arg-type]
    response = http.patch(PATH, json=EXPIRE)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert fake.build(BUILD_ID).expired is True


def test_delay_uses_injected_sleep_in_process(
    client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild, clock: ManualClock
) -> None:
    fake.inject(Delay(2.5))
    before = clock.now()
    assert client.patch(PATH, json=EXPIRE).status_code == 200
    assert clock.slept == [2.5]
    assert clock.now() == before + 2.5


def test_delay_on_the_server_is_real_and_bounded(
    server_client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild, clock: ManualClock
) -> None:
    fake.inject(Delay(0.05))
    assert server_client.patch(PATH, json=EXPIRE).status_code == 200
    assert clock.slept == []  # the server sleeps for real instead
    assert fake.requests[-1].fault == Delay(0.05)
    with pytest.raises(ValueError):
        Delay(31)


async def test_async_transport_faults(
    async_client: httpx.AsyncClient,
    fake: FakeAppStoreConnect,
    build: FakeBuild,
    clock: ManualClock,
) -> None:
    fake.inject(RateLimited(retry_after=7))
    fake.inject(ServerErrorFault(502))
    fake.inject(DropConnection("protocol"))
    fake.inject(DropConnection("connect"))
    fake.inject(MalformedBody("truncated"))
    fake.inject(Delay(4))
    limited = await async_client.patch(PATH, json=EXPIRE)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
    assert (await async_client.patch(PATH, json=EXPIRE)).status_code == 502
    with pytest.raises(httpx.RemoteProtocolError):
        await async_client.patch(
            PATH, json=update_body(attributes={"usesNonExemptEncryption": False})
        )
    assert fake.build(BUILD_ID).uses_non_exempt_encryption is False
    with pytest.raises(httpx.ConnectError):
        await async_client.patch(PATH, json=EXPIRE)
    truncated = await async_client.patch(PATH, json=EXPIRE)
    with pytest.raises(json.JSONDecodeError):
        truncated.json()
    delayed = await async_client.patch(PATH, json=update_body(attributes={"expired": True}))
    assert delayed.status_code == 409  # already expired by the truncated request
    assert clock.slept == [4]


def test_fault_arguments_are_checked(fake: FakeAppStoreConnect) -> None:
    with pytest.raises(ValueError):
        ServerErrorFault(501)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RateLimited(retry_after=-1)
    with pytest.raises(ValueError):
        DropConnection("reset")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        MalformedBody("xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        fake.inject(RateLimited(), times=0)
    with pytest.raises(TypeError):
        fake.inject("boom")  # type: ignore[arg-type]


def test_the_former_fault_name_still_works_with_a_warning() -> None:
    import asc_builds.testing as testing

    with pytest.warns(DeprecationWarning, match="ServerErrorFault"):
        former = testing.ServerError
    assert former is ServerErrorFault
    assert not issubclass(ServerErrorFault, BaseException), "a fault, not the exception"
