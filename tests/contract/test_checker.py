"""The openapi-core checker accepts what the slice declares and rejects what it does not."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    RequestBodyValidationError,
    SecurityValidationError,
)
from openapi_core.validation.response.exceptions import ResponseValidationError

from .drift import response_schema
from .json_schema import to_json_schema
from .schema_walk import minimal_instance
from .spec import apple_spec, request_schema_name
from .transport import BEARER
from .validation import assert_request_matches_spec, assert_response_matches_spec

URL = "http://127.0.0.1:9/v1/builds/b-1"


def _valid_request_body() -> Any:
    spec = apple_spec()
    return minimal_instance(to_json_schema(spec, request_schema_name(spec)))


def _request(body: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Request:
    content = kwargs.pop("content", json.dumps(body).encode())
    all_headers = {**BEARER, "Content-Type": "application/json", **(headers or {})}
    return httpx.Request("PATCH", URL, headers=all_headers, content=content)


def test_a_valid_request_passes() -> None:
    assert_request_matches_spec(_request(_valid_request_body()))


def test_a_broken_body_is_rejected() -> None:
    body = _valid_request_body()
    body["data"]["type"] = "apps"
    with pytest.raises(RequestBodyValidationError):
        assert_request_matches_spec(_request(body))


def test_a_wrong_content_type_is_rejected() -> None:
    with pytest.raises(RequestBodyValidationError):
        assert_request_matches_spec(_request(_valid_request_body(), {"Content-Type": "text/plain"}))


def test_a_missing_authorization_is_rejected() -> None:
    request = _request(_valid_request_body())
    del request.headers["Authorization"]
    with pytest.raises(SecurityValidationError):
        assert_request_matches_spec(request)


def test_a_non_bearer_authorization_is_rejected() -> None:
    with pytest.raises(SecurityValidationError):
        assert_request_matches_spec(
            _request(_valid_request_body(), {"Authorization": "Basic eDp5"})
        )


def _response(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_a_valid_response_passes_and_a_broken_one_is_rejected() -> None:
    request = _request(_valid_request_body())
    body = minimal_instance(response_schema(200))
    assert_response_matches_spec(request, _response(200, body))
    del body["data"]["id"]
    with pytest.raises(ResponseValidationError):
        assert_response_matches_spec(request, _response(200, body))


def test_an_undeclared_status_is_rejected() -> None:
    request = _request(_valid_request_body())
    with pytest.raises(ResponseNotFound):
        assert_response_matches_spec(request, _response(418, {"errors": []}))
