"""Each error status to its class with every field; odd bodies; the clock-skew hint on 401."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import httpx
import pytest
from asc_builds import (
    APIStatusError,
    AppStoreConnect,
    AppStoreConnectError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ErrorEntry,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from asc_builds._error_mapping import error_from_response
from asc_builds._rate_limit import RATE_LIMIT_HEADER, parse_rate_limit

from ._support import BUILD_ID, FakeClock, ScriptedServer, error_body

MakeClient = Callable[..., AppStoreConnect]

FULL_ENTRY = {
    "id": "a2d8b3c4-0000-4000-8000-000000000001",
    "status": "409",
    "code": "ENTITY_ERROR.ATTRIBUTE.INVALID",
    "title": "An attribute value is invalid.",
    "detail": "The build is already expired.",
    "source": {"pointer": "/data/attributes/expired"},
    "meta": {
        "associatedErrors": {
            f"/v1/builds/{BUILD_ID}": [
                {
                    "status": "409",
                    "code": "STATE_ERROR",
                    "title": "Wrong state",
                    "detail": "Expired builds cannot change.",
                }
            ]
        }
    },
}
HEADERS = {
    "x-request-id": "REQ-123",
    "X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:17;",
}


def _map(response: httpx.Response, now: float = 0.0) -> APIStatusError:
    # The send loop parses each answer's rate limit once and hands it over.
    rate_limit = parse_rate_limit(response.headers.get(RATE_LIMIT_HEADER))
    return error_from_response(response, now=now, clock_allowance=60.0, rate_limit=rate_limit)


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (418, APIStatusError),
    ],
)
def test_each_status_maps_to_its_class_with_every_field(
    make_client: MakeClient, code: int, error_class: type[APIStatusError]
) -> None:
    entry = {**FULL_ENTRY, "status": str(code)}
    server = ScriptedServer([httpx.Response(code, json=error_body(entry), headers=HEADERS)] * 3)
    with pytest.raises(error_class) as caught:
        make_client(server).builds.expire(BUILD_ID)
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, AppStoreConnectError)
    assert error.status_code == code
    assert error.request_id == "REQ-123"
    assert error.rate_limit is not None
    assert (error.rate_limit.limit, error.rate_limit.remaining) == (3600, 17)
    assert error.body is None
    (only,) = error.errors
    assert only == ErrorEntry(
        id=FULL_ENTRY["id"],  # type: ignore[arg-type]
        status=str(code),
        code="ENTITY_ERROR.ATTRIBUTE.INVALID",
        title="An attribute value is invalid.",
        detail="The build is already expired.",
        source_pointer="/data/attributes/expired",
        source_parameter=None,
        meta=FULL_ENTRY["meta"],  # type: ignore[arg-type]
        associated_errors={
            f"/v1/builds/{BUILD_ID}": (
                ErrorEntry(
                    status="409",
                    code="STATE_ERROR",
                    title="Wrong state",
                    detail="Expired builds cannot change.",
                ),
            )
        },
    )
    assert str(error).startswith(
        f"{code} ENTITY_ERROR.ATTRIBUTE.INVALID: The build is already expired. "
        "(at /data/attributes/expired)"
    )
    assert "[request id REQ-123]" in str(error)


def test_every_entry_is_kept_and_described() -> None:
    second = {
        "status": "409",
        "code": "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "title": "Invalid relationship",
        "detail": "Unknown declaration.",
        "source": {"parameter": "appEncryptionDeclaration"},
    }
    error = _map(httpx.Response(409, json=error_body(FULL_ENTRY, second)))
    assert [entry.code for entry in error.errors] == [
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
    ]
    assert error.errors[1].source_parameter == "appEncryptionDeclaration"
    assert "ENTITY_ERROR.RELATIONSHIP.INVALID: Unknown declaration. (parameter " in str(error)


def test_error_without_detail_uses_the_title() -> None:
    entry = {"status": "409", "code": "ENTITY_ERROR", "title": "The request entity is invalid."}
    error = _map(httpx.Response(409, json=error_body(entry)))
    assert isinstance(error, ConflictError)
    assert error.errors[0].detail is None
    assert str(error) == "409 ENTITY_ERROR: The request entity is invalid."


def test_error_missing_required_fields_is_still_read() -> None:
    error = _map(httpx.Response(400, json=error_body({"detail": "only a detail"})))
    assert error.errors == (ErrorEntry(detail="only a detail"),)
    assert str(error) == "400 only a detail"


def test_html_502_keeps_the_raw_body() -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    error = _map(httpx.Response(502, text=html, headers={"content-type": "text/html"}))
    assert isinstance(error, ServerError)
    assert error.errors == ()
    assert error.body == html
    assert str(error) == "502 Bad Gateway (non-JSON body, text/html)"


def test_long_raw_body_is_truncated() -> None:
    error = _map(httpx.Response(500, text="x" * 10_000))
    assert error.body is not None
    assert len(error.body) == 2000


def test_empty_body() -> None:
    error = _map(httpx.Response(404, content=b""))
    assert isinstance(error, NotFoundError)
    assert (error.errors, error.body) == ((), None)
    assert str(error) == "404 Not Found (empty body)"


def test_json_without_errors_array() -> None:
    error = _map(httpx.Response(403, json={"message": "nope"}))
    assert isinstance(error, PermissionDeniedError)
    assert str(error) == "403 Forbidden (JSON body without errors[])"


def test_rate_limit_error_carries_retry_after() -> None:
    error = _map(httpx.Response(429, json=error_body(), headers={"Retry-After": "30"}))
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 30.0
    assert "retry after 30 s" in str(error)


def test_rate_limit_error_without_retry_after() -> None:
    error = _map(httpx.Response(429, content=b""))
    assert isinstance(error, RateLimitError)
    assert error.retry_after is None


@pytest.mark.parametrize(
    ("server_offset", "words"),
    [(-300, "local clock is 300 s ahead of"), (450, "local clock is 450 s behind")],
)
def test_401_names_the_clock_skew(server_offset: int, words: str, clock: FakeClock) -> None:
    date = email.utils.formatdate(clock() + server_offset, usegmt=True)
    error = _map(httpx.Response(401, json=error_body(), headers={"Date": date}), now=clock())
    assert isinstance(error, AuthenticationError)
    assert words in str(error)
    assert "App Store Connect's" in str(error)


def test_401_within_the_allowance_says_nothing_about_clocks(clock: FakeClock) -> None:
    date = email.utils.formatdate(clock() + 30, usegmt=True)
    error = _map(httpx.Response(401, json=error_body(), headers={"Date": date}), now=clock())
    assert "clock" not in str(error)


def test_clock_skew_reaches_the_user_through_the_client(
    make_client: MakeClient, clock: FakeClock
) -> None:
    date = email.utils.formatdate(clock() - 900, usegmt=True)
    unauthorized = httpx.Response(
        401,
        json=error_body({"status": "401", "code": "NOT_AUTHORIZED", "title": "Unauthorized"}),
        headers={"Date": date},
    )
    server = ScriptedServer([unauthorized, unauthorized])
    with pytest.raises(AuthenticationError, match="local clock is 900 s ahead of"):
        make_client(server).builds.expire(BUILD_ID)


def test_error_repr_is_short_and_names_the_status() -> None:
    error = _map(httpx.Response(409, json=error_body(FULL_ENTRY)))
    assert repr(error).startswith("ConflictError(status_code=409, message='409 ENTITY_ERROR")


@pytest.mark.parametrize("individual", [True, False])
def test_a_401_says_when_the_key_was_used_as_an_individual_key(
    make_client: MakeClient, p256_pem: str, individual: bool
) -> None:
    from asc_builds import APIKey

    key = APIKey(key_id="KEY1", issuer_id=None if individual else "issuer", private_key=p256_pem)
    unauthorized = httpx.Response(401, json=error_body({"status": "401", "code": "NOT_AUTHORIZED"}))
    # The auth flow re-signs and replays once on a 401, so the server answers twice.
    server = ScriptedServer([unauthorized, unauthorized])
    with pytest.raises(AuthenticationError) as caught:
        make_client(server, key=key).builds.expire(BUILD_ID)
    note = "this key was used as an individual key (no issuer id)"
    assert (note in str(caught.value)) is individual
    if individual:
        assert "ASC_ISSUER_ID" in str(caught.value)
