"""Assertions that an exchanged request or response is what the slice declares."""

from __future__ import annotations

import functools

import httpx
from openapi_core import OpenAPI

from .httpx_openapi import HttpxOpenAPIRequest, HttpxOpenAPIResponse
from .spec import apple_spec

__all__ = ["assert_request_matches_spec", "assert_response_matches_spec", "openapi"]


@functools.cache
def openapi() -> OpenAPI:
    """Apple's unpatched slice: the contract requests must meet and valid responses keep."""
    return OpenAPI.from_dict(apple_spec())


def assert_request_matches_spec(request: httpx.Request) -> None:
    """Method, path and its parameters, bearer auth (the security scheme), content type
    and body; raises openapi-core's validation error naming what does not match."""
    openapi().validate_request(HttpxOpenAPIRequest(request))


def assert_response_matches_spec(request: httpx.Request, response: httpx.Response) -> None:
    """The status is declared for the operation and the body matches its schema."""
    openapi().validate_response(HttpxOpenAPIRequest(request), HttpxOpenAPIResponse(response))
