"""Bad input is one branch of the error tree, still a ValueError, and sends nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from asc_builds import (
    APIKey,
    ApiKey,
    APIKeyError,
    ApiKeyError,
    AppStoreConnect,
    AppStoreConnectError,
    AsyncAppStoreConnect,
    InvalidInputError,
)


def _refuse_everything(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    return httpx.MockTransport(handler)


def test_input_errors_are_in_the_tree_and_still_value_errors() -> None:
    assert issubclass(InvalidInputError, AppStoreConnectError)
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(APIKeyError, InvalidInputError)


def test_the_former_names_are_the_same_objects() -> None:
    assert ApiKey is APIKey
    assert ApiKeyError is APIKeyError


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda asc: asc.builds.expire("a/b"), "build id"),
        (lambda asc: asc.builds.update("b1"), "nothing to update"),
        (lambda asc: asc.builds.expire_many(["b1"], concurrency=0), "concurrency"),
        (lambda asc: asc.builds.expire("b1", max_retries=-1), "max_retries"),
    ],
)
def test_a_malformed_call_is_caught_as_an_app_store_connect_error(
    api_key: APIKey, call: Any, message: str
) -> None:
    seen: list[httpx.Request] = []
    with AppStoreConnect(api_key, transport=_refuse_everything(seen)) as asc:
        try:
            call(asc)
        except AppStoreConnectError as error:
            assert isinstance(error, InvalidInputError)
            assert message in str(error)
        else:
            pytest.fail("no error")
    assert seen == []


@pytest.mark.parametrize("ids", ["one-build-id", b"one-build-id", bytearray(b"one-build-id")])
def test_expire_many_refuses_a_string_in_place_of_a_collection(api_key: APIKey, ids: Any) -> None:
    seen: list[httpx.Request] = []
    with (
        AppStoreConnect(api_key, transport=_refuse_everything(seen)) as asc,
        pytest.raises(InvalidInputError, match=r"collection of ids.*\[build_id\]"),
    ):
        asc.builds.expire_many(ids)
    assert seen == []


@pytest.mark.parametrize("ids", ["one-build-id", b"one-build-id"])
async def test_async_expire_many_refuses_a_string_in_place_of_a_collection(
    api_key: APIKey, ids: Any
) -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    async with AsyncAppStoreConnect(api_key, transport=httpx.MockTransport(handler)) as asc:
        with pytest.raises(InvalidInputError, match="collection of ids"):
            await asc.builds.expire_many(ids)
    assert seen == []


def test_other_iterables_of_ids_are_still_accepted(
    api_key: APIKey, example_response: dict[str, Any]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=example_response)

    with AppStoreConnect(api_key, transport=httpx.MockTransport(handler)) as asc:
        outcomes = asc.builds.expire_many(build_id for build_id in ("b1", "b2"))
    assert [outcome.build_id for outcome in outcomes] == ["b1", "b2"]


def test_a_bare_string_scope_is_an_input_error(api_key: APIKey) -> None:
    with pytest.raises(InvalidInputError, match="not a string"):
        AppStoreConnect(api_key, scope="PATCH /v1/builds/1")
