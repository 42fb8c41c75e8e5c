"""The retry matrix, on the sync client; waits are read from an injected sleep, never slept."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import httpx
import pytest
from asc_builds import (
    APIConnectionError,
    APITimeoutError,
    AppStoreConnect,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    RateLimitError,
    ServerError,
)
from asc_builds._retry import RetryPolicy

from ._support import BUILD_ID, FakeClock, RecordedSleeps, ScriptedServer, error_body

MakeClient = Callable[..., AppStoreConnect]
MakeOk = Callable[..., httpx.Response]


def _status(code: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        code,
        json=error_body({"status": str(code), "code": "X", "title": "t", "detail": "d"}),
        headers=headers,
    )


def test_429_with_retry_after_seconds_waits_that_long(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([_status(429, {"Retry-After": "7"}), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [7.0]
    assert len(server.requests) == 2


def test_429_with_retry_after_http_date(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps, clock: FakeClock
) -> None:
    when = email.utils.formatdate(clock() + 12, usegmt=True)
    server = ScriptedServer([_status(429, {"Retry-After": when}), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [12.0]


def test_429_without_retry_after_backs_off_exponentially(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([_status(429), _status(429), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [0.5, 1.0]


def test_429_retry_after_beyond_the_cap_is_raised_at_once(
    make_client: MakeClient, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([_status(429, {"Retry-After": "3600"})])
    with pytest.raises(RateLimitError) as caught:
        make_client(server).builds.expire(BUILD_ID)
    assert caught.value.retry_after == 3600.0
    assert sleeps.waits == []


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_server_errors_are_retried_with_backoff(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps, code: int
) -> None:
    server = ScriptedServer([_status(code), _status(code), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [0.5, 1.0]


@pytest.mark.parametrize("code", [500, 503])
def test_retries_are_bounded(make_client: MakeClient, sleeps: RecordedSleeps, code: int) -> None:
    server = ScriptedServer([_status(code)] * 3)
    with pytest.raises(ServerError) as caught:
        make_client(server).builds.expire(BUILD_ID)
    assert caught.value.status_code == code
    assert len(server.requests) == 3  # one attempt and the default two retries
    assert sleeps.waits == [0.5, 1.0]


def test_connection_reset_is_retried(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([httpx.ReadError("Connection reset by peer"), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [0.5]


def test_connection_errors_exhaust_into_api_connection_error(
    make_client: MakeClient, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([httpx.ConnectError("refused")] * 3)
    with pytest.raises(APIConnectionError) as caught:
        make_client(server).builds.expire(BUILD_ID)
    assert not isinstance(caught.value, APITimeoutError)
    assert "ConnectError" in str(caught.value)
    assert len(sleeps.waits) == 2


def test_timeout_is_retried_then_raised_as_api_timeout_error(
    make_client: MakeClient, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([httpx.ReadTimeout("slow")] * 3)
    with pytest.raises(APITimeoutError, match="timed out"):
        make_client(server).builds.expire(BUILD_ID)
    assert len(server.requests) == 3


def test_timeout_then_success(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([httpx.ConnectTimeout("slow"), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    assert sleeps.waits == [0.5]


def test_401_then_success_reissues_the_token_and_replays_once(
    make_client: MakeClient, build_ok: MakeOk, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([_status(401), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    first, second = server.tokens()
    assert first != second
    assert server.requests[0].content == server.requests[1].content
    assert sleeps.waits == []


def test_401_twice_raises_authentication_error(
    make_client: MakeClient, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([_status(401), _status(401)])
    with pytest.raises(AuthenticationError):
        make_client(server).builds.expire(BUILD_ID)
    assert len(server.requests) == 2
    assert len(set(server.tokens())) == 2
    assert sleeps.waits == []


@pytest.mark.parametrize(("code", "error"), [(400, BadRequestError), (409, ConflictError)])
def test_client_errors_are_not_retried(
    make_client: MakeClient, sleeps: RecordedSleeps, code: int, error: type[Exception]
) -> None:
    # After a 409 the build is read again (is it already expired?); here that read fails.
    server = ScriptedServer([_status(code)] + ([_status(404)] if code == 409 else []))
    with pytest.raises(error):
        make_client(server).builds.expire(BUILD_ID)
    assert [request.method for request in server.requests if request.method == "PATCH"] == ["PATCH"]
    assert server.remaining == 0
    assert sleeps.waits == []


def test_max_retries_per_client(make_client: MakeClient, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer([_status(503)] * 5)
    with pytest.raises(ServerError):
        make_client(server, max_retries=4).builds.expire(BUILD_ID)
    assert len(server.requests) == 5
    assert sleeps.waits == [0.5, 1.0, 2.0, 4.0]


def test_max_retries_per_call_overrides_the_client(
    make_client: MakeClient, sleeps: RecordedSleeps
) -> None:
    server = ScriptedServer([_status(503)])
    with pytest.raises(ServerError):
        make_client(server, max_retries=4).builds.expire(BUILD_ID, max_retries=0)
    assert len(server.requests) == 1
    assert sleeps.waits == []


def test_negative_max_retries_is_refused(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        make_client(ScriptedServer([]), max_retries=-1)


def test_backoff_is_capped_and_jittered_downwards() -> None:
    policy = RetryPolicy(max_retries=10, random=lambda: 1.0)
    assert [policy.backoff(n) for n in (1, 2, 5, 6, 10)] == [0.375, 0.75, 6.0, 6.0, 6.0]
    no_jitter = RetryPolicy(max_retries=10, random=lambda: 0.0)
    assert no_jitter.backoff(10) == 8.0


def test_retries_are_logged_at_info(
    make_client: MakeClient, build_ok: MakeOk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="asc_builds")
    server = ScriptedServer([_status(503), build_ok()])
    make_client(server).builds.expire(BUILD_ID)
    (record,) = [r for r in caplog.records if r.name == "asc_builds" and r.levelname == "INFO"]
    assert f"retrying PATCH /v1/builds/{BUILD_ID} in 0.50 s (retry 1 of 2)" in record.getMessage()
