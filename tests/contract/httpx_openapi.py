"""httpx requests and responses seen through openapi-core's protocols.

openapi-core ships adapters for requests, aiohttp and others but not httpx.
"""

from __future__ import annotations

import httpx
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from .spec import APPLE_HOST_URL

__all__ = ["HttpxOpenAPIRequest", "HttpxOpenAPIResponse"]


class HttpxOpenAPIRequest:
    """An `httpx.Request` as openapi-core's `Request` protocol.

    The host is reported as Apple's server from the slice, so requests sent to a
    loopback mock are matched against the spec's one server entry."""

    def __init__(self, request: httpx.Request, host_url: str = APPLE_HOST_URL) -> None:
        self._request = request
        self._host_url = host_url
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return self._host_url

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        content = self._request.read()
        return content or None

    @property
    def content_type(self) -> str:
        return str(self._request.headers.get("content-type", "")).lower()


class HttpxOpenAPIResponse:
    """An `httpx.Response` as openapi-core's `Response` protocol."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Headers:
        return Headers(list(self._response.headers.multi_items()))

    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", "")).lower()

    @property
    def data(self) -> bytes | None:
        content = self._response.read()
        return content or None
