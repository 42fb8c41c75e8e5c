"""Every answer the fake gives, checked against Apple's pinned slice with openapi-core."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import httpx
import pytest
from asc_builds.testing import FakeAppStoreConnect, FakeBuild, RateLimited, ServerErrorFault
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

from ._support import BUILD_ID, DECLARATION_ID, Signer, bearer, update_body

HOST_URL = "https://api.appstoreconnect.apple.com"


@cache
def pinned_slice() -> dict[str, Any]:
    text = resources.files("asc_builds_generated").joinpath("openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(pinned_slice())


def error_response_validator() -> OAS30Validator:
    document = pinned_slice()
    registry: Registry[Any] = Registry().with_resource("slice.json", Resource.opaque(document))
    schema = {"$ref": "slice.json#/components/schemas/ErrorResponse"}
    return OAS30Validator(schema, registry=registry)


def scenarios(fake: FakeAppStoreConnect, sign: Signer) -> Iterator[tuple[int, bytes | None, str]]:
    """(expected status, body sent, token) for every status the slice declares."""
    token = sign()
    good = json.dumps(
        update_body(attributes={"usesNonExemptEncryption": True}, declaration_id=DECLARATION_ID)
    ).encode()
    yield 200, good, token
    yield 400, b"{not json", token
    yield 401, good, "garbage"
    yield 403, good, sign(claims={"scope": ["PATCH /v1/builds/other"]})
    yield 404, json.dumps(update_body(declaration_id="nope")).encode(), token
    yield 409, json.dumps(update_body(attributes={"expired": "soon"})).encode(), token
    yield 422, b'{"data": {"type": "builds"}}', token
    fake.inject(RateLimited(retry_after=1))
    yield 429, good, token


def test_every_declared_status_validates_against_the_slice(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    seen: list[int] = []
    with httpx.Client(transport=fake.transport(), base_url=HOST_URL) as http:
        for expected, body, token in scenarios(fake, sign):
            path = f"/v1/builds/{BUILD_ID}"
            response = http.patch(
                path, content=body, headers={**bearer(token), "Content-Type": "application/json"}
            )
            assert response.status_code == expected, response.text
            request = MockRequest(HOST_URL, "PATCH", path, data=body, headers=bearer(token))
            openapi().validate_response(
                request,
                MockResponse(
                    response.content,
                    status_code=response.status_code,
                    content_type=response.headers["content-type"],
                ),
            )
            if expected == 200:
                openapi().validate_request(request)
            seen.append(expected)
    declared = sorted(
        int(s) for s in pinned_slice()["paths"]["/v1/builds/{id}"]["patch"]["responses"]
    )
    assert seen == declared


def test_undeclared_500_still_uses_error_response(
    client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild
) -> None:
    fake.inject(ServerErrorFault(500))
    response = client.patch(f"/v1/builds/{BUILD_ID}", json=update_body())
    assert response.status_code == 500
    error_response_validator().validate(response.json())


@pytest.mark.parametrize("expired", [True, False])
@pytest.mark.parametrize("encryption", [None, True, False])
def test_build_documents_validate_for_every_state(
    client: httpx.Client, fake: FakeAppStoreConnect, expired: bool, encryption: bool | None
) -> None:
    fake.add_build("x", expired=expired, uses_non_exempt_encryption=encryption)
    response = client.patch("/v1/builds/x", json=update_body("x"))
    assert response.status_code == 200
    openapi().validate_response(
        MockRequest(HOST_URL, "PATCH", "/v1/builds/x", data=response.request.content),
        MockResponse(response.content),
    )
    attributes = response.json()["data"]["attributes"]
    assert attributes["expired"] is expired
    assert attributes.get("usesNonExemptEncryption") is encryption
