"""The handwritten wrapper against the slice: requests, argument sweep, errors, Prism."""

from __future__ import annotations

import string
from typing import Any

import httpx
import pytest
from asc_builds import (
    ApiKey,
    APIStatusError,
    AppStoreConnect,
    AsyncAppStoreConnect,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from .compare import assert_same_json
from .drift import response_schema
from .exercised import Exercised
from .schema_walk import minimal_instance
from .spec import apple_spec, error_statuses
from .strategies import error_responses
from .transport import EchoingId, RecordingTransport, is_batch_read, serving
from .validation import assert_request_matches_spec, assert_response_matches_spec

BASE_URL = "http://127.0.0.1:9"
EXCEPTIONS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
build_ids = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=40)
flags = st.sampled_from([None, True, False])


def _key() -> ApiKey:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return ApiKey(key_id="KEY1234567", issuer_id="issuer", private_key=pem)


KEY = _key()


def _wrapper(transport: httpx.BaseTransport, base_url: str = BASE_URL) -> AppStoreConnect:
    return AppStoreConnect(KEY, base_url=base_url, transport=transport, max_retries=0)


def _ok(exercised: Exercised) -> RecordingTransport:
    served = serving(
        200, minimal_instance(response_schema(200)), assert_request_matches_spec, echo_id=True
    )
    return RecordingTransport(served, exercised)


# The PATCH alone here: the declaration check's reads are tested over the fake
# (tests/jobs), and the reads' requests by the contract tests of the reads.
def test_each_method_sends_a_request_the_slice_accepts(exercised: Exercised) -> None:
    transport = _ok(exercised)
    with _wrapper(transport) as asc:
        asc.builds.expire("b-1")
        asc.builds.set_uses_non_exempt_encryption("b-1", False)
        asc.builds.assign_encryption_declaration("b-1", "d-1", check_declaration=False)
    bodies = [request.read() for request, _ in transport.exchanges]
    assert b'"expired": true' in bodies[0] or b'"expired":true' in bodies[0]
    assert len(bodies) == 3


async def test_the_async_client_sends_the_same_requests_the_slice_accepts() -> None:
    def sent_bodies(requests: list[httpx.Request]) -> list[bytes]:
        return [request.read() for request in requests]

    seen: list[httpx.Request] = []

    def check(request: httpx.Request) -> None:
        assert_request_matches_spec(request)
        seen.append(request)

    ok = minimal_instance(response_schema(200))
    async with AsyncAppStoreConnect(
        KEY, base_url=BASE_URL, transport=serving(200, ok, check, echo_id=True), max_retries=0
    ) as asc:
        await asc.builds.expire("b-1")
        await asc.builds.set_uses_non_exempt_encryption("b-1", False)
        await asc.builds.assign_encryption_declaration("b-1", "d-1", check_declaration=False)
        outcomes = await asc.builds.expire_many(["b-2", "b-3"], concurrency=2)
    assert [outcome.ok for outcome in outcomes] == [True, True]
    async_bodies = sent_bodies([request for request in seen if request.method == "PATCH"])
    assert sum(is_batch_read(request) for request in seen) == 1, "the batch reads once"

    seen.clear()
    with _wrapper(serving(200, ok, check, echo_id=True)) as sync_asc:
        sync_asc.builds.expire("b-1")
        sync_asc.builds.set_uses_non_exempt_encryption("b-1", False)
        sync_asc.builds.assign_encryption_declaration("b-1", "d-1", check_declaration=False)
    assert async_bodies[:3] == sent_bodies(seen), "sync and async send identical bodies"
    assert len(async_bodies) == 5


@settings(max_examples=60)
@given(
    build_id=build_ids,
    expired=st.sampled_from([None, True]),
    uses=flags,
    declaration=st.none() | build_ids,
)
def test_update_arguments_sweep(
    build_id: str,
    expired: bool | None,
    uses: bool | None,
    declaration: str | None,
    exercised: Exercised,
) -> None:
    assume(expired is not None or uses is not None or declaration is not None)
    transport = _ok(exercised)
    with _wrapper(transport) as asc:
        asc.builds.update(
            build_id,
            expired=expired,
            uses_non_exempt_encryption=uses,
            encryption_declaration_id=declaration,
            check_declaration=False,
        )
    ((request, _),) = transport.exchanges
    assert request.url.path == f"/v1/builds/{build_id}"
    data: dict[str, Any] = httpx.Response(200, content=request.read()).json()["data"]
    assert data["id"] == build_id
    sent = data.get("attributes") or {}
    assert sent.get("expired") == expired and sent.get("usesNonExemptEncryption") == uses
    linked = (data.get("relationships") or {}).get("appEncryptionDeclaration")
    assert (linked["data"]["id"] if linked else None) == declaration


def test_un_expiring_is_refused_before_sending(exercised: Exercised) -> None:
    # The wrapper's documented choice: App Store Connect cannot un-expire a build.
    transport = _ok(exercised)
    with _wrapper(transport) as asc, pytest.raises(ValueError):
        asc.builds.update("b-1", expired=False)
    assert transport.exchanges == []


@pytest.mark.parametrize("status", error_statuses(apple_spec()))
@settings(max_examples=5)
@given(data=st.data())
def test_each_error_status_raises_its_typed_exception(
    status: int, data: st.DataObject, exercised: Exercised
) -> None:
    body = data.draw(error_responses(status))
    transport = RecordingTransport(serving(status, body), exercised)
    with _wrapper(transport) as asc, pytest.raises(EXCEPTIONS[status]) as caught:
        asc.builds.expire("b-1")
    assert caught.value.status_code == status


class _Preferring(RecordingTransport):
    """Asks Prism for a chosen response with its `Prefer: code=N` request header."""

    def __init__(self, exercised: Exercised, status: int | None) -> None:
        # Prism answers with its examples' ids; EchoingId makes each 200 the build asked for.
        super().__init__(EchoingId(httpx.HTTPTransport()), exercised)
        self._status = status

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._status is not None:
            request.headers["Prefer"] = f"code={self._status}"
        return super().handle_request(request)


def test_every_wrapper_method_against_prism(prism_url: str, exercised: Exercised) -> None:
    transport = _Preferring(exercised, None)
    with _wrapper(transport, prism_url) as asc:
        builds = [
            asc.builds.expire("b-1"),
            asc.builds.set_uses_non_exempt_encryption("b-1", True),
            asc.builds.assign_encryption_declaration("b-1", "d-1", check_declaration=False),
            asc.builds.update(
                "b-1",
                expired=True,
                uses_non_exempt_encryption=False,
                encryption_declaration_id="d-1",
                check_declaration=False,
            ),
        ]
        outcomes = asc.builds.expire_many(["b-2", "b-3", "b-4"], concurrency=3)
    assert all(outcome.ok for outcome in outcomes), outcomes
    # The four changes, the batch's read, and its three PATCHes.
    assert len(transport.exchanges) == 8
    assert sum(is_batch_read(request) for request, _ in transport.exchanges) == 1
    for request, response in transport.exchanges:
        assert response.status_code == 200
        assert "sl-violations" not in response.headers, response.headers["sl-violations"]
        assert_response_matches_spec(request, response)
    assert [build.id for build in builds] == [
        response.json()["data"]["id"] for _, response in transport.exchanges[:4]
    ]


@pytest.mark.parametrize("status", error_statuses(apple_spec()))
def test_each_error_prism_serves_raises_its_typed_exception(
    prism_url: str, exercised: Exercised, status: int
) -> None:
    transport = _Preferring(exercised, status)
    with _wrapper(transport, prism_url) as asc, pytest.raises(EXCEPTIONS[status]) as caught:
        asc.builds.expire("b-1")
    assert caught.value.status_code == status
    assert caught.value.errors, "every entry of errors[] is kept"
    # max_retries=0 sends once; a 401 alone is replayed once with a fresh token, and a 409
    # is followed by one read of the build (does it already hold the values?).
    patches = [request for request, _ in transport.exchanges if request.method == "PATCH"]
    assert len(patches) == (2 if status == 401 else 1)
    assert len(transport.exchanges) == len(patches) + (1 if status == 409 else 0)


def test_many_dynamic_responses_parse_through_the_wrapper(
    prism_dynamic_url: str, exercised: Exercised
) -> None:
    transport = _Preferring(exercised, None)
    with _wrapper(transport, prism_dynamic_url) as asc:
        for number in range(30):
            build = asc.builds.expire(f"b-{number}")
            _, response = transport.exchanges[-1]
            assert build.id == response.json()["data"]["id"]
            assert_same_json(response.json()["data"], build.to_dict())
