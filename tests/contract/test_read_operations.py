"""The reads against the slice: requests the slice accepts, responses it allows parse, Prism.

Every read operation in the slice is exercised here; the operations and schemas are read
from `openapi/slice.json`, so a regenerated slice re-targets the tests.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asc_builds import (
    MAX_PAGE_SIZE,
    PROCESSING_STATES,
    SORT_VALUES,
    AppNotFoundError,
    AppStoreConnect,
    AsyncAppStoreConnect,
    BuildInfo,
    NotFoundError,
    ResponseValidationError,
)
from asc_builds.builds import INCLUDE_VALUES
from asc_builds_generated import models
from hypothesis import given, settings
from hypothesis import strategies as st

from .compare import assert_same_json
from .json_schema import to_json_schema
from .schema_walk import minimal_instance
from .spec import apple_spec, schema_name
from .strategies import from_json_schema
from .test_wrapper_contract import KEY
from .transport import EchoingId, RecordingTransport, answering_id, serving
from .validation import assert_request_matches_spec, assert_response_matches_spec

BASE_URL = "http://127.0.0.1:9"
JSON = dict[str, Any]
READS = (
    ("/v1/builds/{id}", "get"),
    ("/v1/builds", "get"),
    ("/v1/apps", "get"),
    ("/v1/appEncryptionDeclarations/{id}", "get"),
)


def _operation(path: str, method: str = "get") -> JSON:
    operation: JSON = apple_spec()["paths"][path][method]
    return operation


def _response_name(path: str, status: int = 200) -> str:
    content = _operation(path)["responses"][str(status)]["content"]["application/json"]
    return schema_name(content["schema"]["$ref"])


@functools.cache
def _response_schema(path: str) -> JSON:
    return to_json_schema(apple_spec(), _response_name(path))


def _query_parameters(path: str) -> dict[str, JSON]:
    return {p["name"]: p for p in _operation(path)["parameters"] if p["in"] == "query"}


def test_the_slice_holds_exactly_the_reads_and_the_patch() -> None:
    operations = {
        (path, method)
        for path, item in apple_spec()["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert operations == {*READS, ("/v1/builds/{id}", "patch")}


def test_every_array_query_parameter_is_comma_separated() -> None:
    # The wrapper joins list values with commas (resources/_common.operation_with_query).
    for path, _ in READS:
        for name, parameter in _query_parameters(path).items():
            if parameter["schema"].get("type") == "array":
                assert parameter.get("style", "form") == "form", (path, name)
                assert parameter.get("explode") is False, (path, name)


def test_the_sdks_constants_are_the_slices_values() -> None:
    builds = _query_parameters("/v1/builds")
    assert set(PROCESSING_STATES) == set(
        builds["filter[processingState]"]["schema"]["items"]["enum"]
    )
    assert set(SORT_VALUES) == set(builds["sort"]["schema"]["items"]["enum"])
    assert set(INCLUDE_VALUES) == set(builds["include"]["schema"]["items"]["enum"])
    instance = _query_parameters("/v1/builds/{id}")
    assert set(INCLUDE_VALUES) == set(instance["include"]["schema"]["items"]["enum"])
    for path in ("/v1/builds", "/v1/apps"):
        assert _query_parameters(path)["limit"]["schema"]["maximum"] == MAX_PAGE_SIZE
    assert set(PROCESSING_STATES) == {
        m.value for m in models.BuildsGetCollectionFilterprocessingStateItem
    }


def _serving_every_read() -> Callable[[httpx.Request], httpx.Response]:
    """Answers each read with the smallest body its schema allows, after checking the request."""
    bodies = {path: minimal_instance(_response_schema(path)) for path, _ in READS}
    # An app whose bundle id is the one asked for, so that apps.find succeeds.
    bodies["/v1/apps"] = {
        **bodies["/v1/apps"],
        "data": [{"type": "apps", "id": "a-1", "attributes": {"bundleId": "com.example.app"}}],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        assert_request_matches_spec(request)
        path = request.url.path
        template = (
            "/v1/builds/{id}"
            if path.startswith("/v1/builds/")
            else "/v1/appEncryptionDeclarations/{id}"
            if path.startswith("/v1/appEncryptionDeclarations/")
            else path
        )
        response = httpx.Response(
            200, json=answering_id(request, bodies[template]), request=request
        )
        assert_response_matches_spec(request, response)
        return response

    return answer


def test_every_read_sends_a_request_the_slice_accepts() -> None:
    seen: list[httpx.Request] = []
    answer = _serving_every_read()

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    with AppStoreConnect(KEY, base_url=BASE_URL, transport=httpx.MockTransport(handle)) as asc:
        asc.builds.get("b-1", include=("preReleaseVersion", "app", "appEncryptionDeclaration"))
        list(
            asc.builds.list(
                bundle_id="com.example.app",
                marketing_version="2.1.0",
                build_number="345",
                expired=False,
                processing_state=PROCESSING_STATES,
                sort=("-uploadedDate", "version"),
                include=INCLUDE_VALUES,
            )
        )
        asc.encryption_declarations.get("d-1")
    assert [request.url.path for request in seen] == [
        "/v1/builds/b-1",
        "/v1/apps",
        "/v1/builds",
        "/v1/appEncryptionDeclarations/d-1",
    ]
    assert all(request.headers["authorization"].startswith("Bearer ") for request in seen)
    builds_query = dict(seen[2].url.params)
    assert builds_query["filter[processingState]"] == ",".join(PROCESSING_STATES)
    assert builds_query["limit"] == str(MAX_PAGE_SIZE)


async def test_the_async_reads_send_the_same_requests() -> None:
    def run_sync() -> list[str]:
        seen: list[str] = []
        answer = _serving_every_read()

        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(str(request.url))
            return answer(request)

        with AppStoreConnect(KEY, base_url=BASE_URL, transport=httpx.MockTransport(handle)) as a:
            a.builds.get("b-1")
            list(a.builds.list(bundle_id="com.example.app", sort="-uploadedDate"))
            a.encryption_declarations.get("d-1")
        return seen

    seen: list[str] = []
    answer = _serving_every_read()

    async def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return answer(request)

    transport = httpx.MockTransport(handle)
    async with AsyncAppStoreConnect(KEY, base_url=BASE_URL, transport=transport) as asc:
        await asc.builds.get("b-1")
        [b async for b in asc.builds.list(bundle_id="com.example.app", sort="-uploadedDate")]
        await asc.encryption_declarations.get("d-1")
    assert seen == run_sync()


@pytest.mark.parametrize("path", [path for path, _ in READS if path != "/v1/apps"])
@settings(max_examples=25)
@given(data=st.data())
def test_every_valid_read_response_parses(path: str, data: st.DataObject) -> None:
    body = data.draw(from_json_schema(_response_schema(path)))
    if path != "/v1/builds":
        # A read by id checks it got the resource asked for: answer about that one.
        body["data"]["id"] = "b-1" if path == "/v1/builds/{id}" else "d-1"
    else:
        # A listing hands out each build once: the drawn builds are different builds.
        for index, item in enumerate(body["data"]):
            item["id"] = f"b-{index}"
    transport = serving(200, body)
    with AppStoreConnect(KEY, base_url=BASE_URL, transport=transport, max_retries=0) as asc:
        if path == "/v1/builds/{id}":
            build = asc.builds.get("b-1")
            assert isinstance(build, BuildInfo) and build.id == body["data"]["id"]
            assert_same_json(body["data"], build.build.to_dict())
        elif path == "/v1/builds":
            page = next(asc.builds.pages(app_id="a-1"))
            assert [b.id for b in page.items] == [b["id"] for b in body["data"]]
        else:
            declaration = asc.encryption_declarations.get("d-1")
            assert_same_json(body["data"], declaration.to_dict())


@settings(max_examples=10)
@given(data=st.data())
def test_every_valid_apps_response_parses(data: st.DataObject) -> None:
    body = data.draw(from_json_schema(_response_schema("/v1/apps")))
    # One page: apps.find reads on through links.next, and this mock serves the same page.
    body["links"].pop("next", None)
    bundle_ids = [(item.get("attributes") or {}).get("bundleId") for item in body["data"]]
    with AppStoreConnect(KEY, base_url=BASE_URL, transport=serving(200, body)) as asc:
        if "com.example.app" in bundle_ids:
            assert asc.apps.find(bundle_id="com.example.app").id
        else:
            with pytest.raises(AppNotFoundError):
                asc.apps.find(bundle_id="com.example.app")


def test_every_read_against_prism(prism_url: str) -> None:
    from .exercised import Exercised

    # Prism answers every read by id with its example's id; App Store Connect with the one
    # asked for, which the SDK checks.
    transport = RecordingTransport(EchoingId(httpx.HTTPTransport()), Exercised())
    with AppStoreConnect(KEY, base_url=prism_url, transport=transport, max_retries=0) as asc:
        build = asc.builds.get("b-1")
        # Prism's example page has no usable links.next; one page is what is checked.
        page = next(asc.builds.pages(app_id="a-1", processing_state="VALID", sort="version"))
        declaration = asc.encryption_declarations.get("d-1")
        # Prism's example app has some other bundle id, and its example links.next
        # ("../dictionary") is no URL to follow: the request is what counts.
        with contextlib.suppress(AppNotFoundError, ResponseValidationError):
            asc.apps.find(bundle_id="com.example.app")
    assert isinstance(build, BuildInfo) and declaration.id
    assert page.items is not None
    assert len(transport.exchanges) == 4
    for request, response in transport.exchanges:
        assert response.status_code == 200, response.text
        assert "sl-violations" not in response.headers, response.headers["sl-violations"]
        assert_response_matches_spec(request, response)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
def test_each_read_error_prism_serves_is_typed(prism_url: str, status: int) -> None:
    def prefer(request: httpx.Request) -> httpx.Response:
        request.headers["Prefer"] = f"code={status}"
        with httpx.Client() as inner:
            return inner.send(request)

    from asc_builds import APIStatusError

    with (
        AppStoreConnect(
            KEY, base_url=prism_url, transport=httpx.MockTransport(prefer), max_retries=0
        ) as asc,
        pytest.raises(APIStatusError) as caught,
    ):
        asc.builds.get("b-1")
    assert caught.value.status_code == status
    if status == 404:
        assert isinstance(caught.value, NotFoundError)
