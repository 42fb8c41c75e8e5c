"""httpx requests built from headers httpx merged once, instead of merging them per call.

`Client.build_request` merges the client's headers with the request's into a new
`Headers`, copies them into the `Request`, encodes the JSON body, adds its length and the
host, and rebuilds the headers once more: about a fifth of an SDK call's own cost, to
produce the same header list on every call. Only the body and its length change between
two calls of one operation on one client.

So the first request of each kind (method, the operation's headers, the client's own
headers, with or without a body) goes through `build_request`, and its headers become the
template for that kind. Later requests are `httpx.Request(method, url, headers=template,
stream=ByteStream(body))`, with the body's length put in when it differs. Before a
template is used, requests built from it are compared with httpx's own (method, URL,
every header in order, body, extensions), for the request itself and for a probe body
that tells httpx's JSON encoding apart (non-ASCII text, a line separator, a float); if
anything differs (an httpx upgrade changed how it merges or encodes), that kind of
request keeps going through `build_request`. Only public httpx API is used: the
constructors, `ByteStream` and `Request.read`.

Requests this does not cover take `build_request` directly: a query string, a URL given
as text (a page's `links.next`), and a client that carries cookies or default query
parameters (httpx merges those per call).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

import httpx

__all__ = ["RequestFactory"]

# How httpx 0.28 encodes `json=`: checked against httpx's own bytes before use.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# A body that httpx's JSON encoding and another one would most likely write differently.
_PROBE_BODY = {"data": {"ü": [1.5, None, True, "x\u2028y"]}}
# Kinds of request one client can learn; a caller that keeps changing its client's
# headers past this is served by `build_request` instead of growing the table.
_MAX_KINDS = 64

_Key = tuple[Any, ...]


class _Template(NamedTuple):
    """The headers httpx built for one kind of request, and the body length they state."""

    headers: httpx.Headers
    content_length: int | None


def _encode(body: Any) -> bytes:
    return _ENCODER.encode(body).encode("utf-8")


def _copy(extensions: dict[str, Any]) -> dict[str, Any]:
    return {
        name: dict(value) if isinstance(value, dict) else value
        for name, value in extensions.items()
    }


def _same(ours: httpx.Request, theirs: httpx.Request) -> bool:
    return bool(
        ours.method == theirs.method
        and ours.url == theirs.url
        and vars(ours.url) == vars(theirs.url)
        and ours.headers.raw == theirs.headers.raw
        and ours.read() == theirs.read()
        and type(ours.stream) is type(theirs.stream)
        and ours.extensions == theirs.extensions
    )


class RequestFactory:
    """Requests for one SDK client's operations, equal to what `build_request` returns."""

    def __init__(self) -> None:
        # A kind of request -> its template, or None: that kind uses build_request.
        self._templates: dict[_Key, _Template | None] = {}

    def build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any,
        headers: Mapping[str, str],
        extensions: dict[str, Any],
    ) -> httpx.Request:
        """The request `http.build_request` would build from these arguments."""
        if params or isinstance(url, str) or http.cookies or http.params:
            return self._httpx_own(http, method, url, body, headers, extensions, params)
        key = (method, tuple(headers.items()), tuple(http.headers.raw), body is None)
        try:
            template = self._templates[key]
        except KeyError:
            return self._learn(key, http, method, url, body, headers, extensions)
        if template is None:
            return self._httpx_own(http, method, url, body, headers, extensions)
        return self._from_template(template, method, url, body, extensions)

    @staticmethod
    def _httpx_own(
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        url: httpx.URL | str,
        body: Any,
        headers: Mapping[str, str],
        extensions: dict[str, Any],
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Request:
        return http.build_request(
            method, url, params=params, json=body, headers=dict(headers), extensions=extensions
        )

    def _learn(
        self,
        key: _Key,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        url: httpx.URL,
        body: Any,
        headers: Mapping[str, str],
        extensions: dict[str, Any],
    ) -> httpx.Request:
        theirs = self._httpx_own(http, method, url, body, headers, extensions)
        template = _Template(
            httpx.Headers(theirs.headers), None if body is None else len(theirs.read())
        )
        bodies = [body] if body is None else [body, _PROBE_BODY]
        try:
            usable = all(
                _same(
                    self._from_template(template, method, url, sample, _copy(extensions)),
                    self._httpx_own(http, method, url, sample, headers, _copy(extensions)),
                )
                for sample in bodies
            )
        except Exception:
            # Anything unexpected from httpx means: keep to its public build_request.
            usable = False
        if len(self._templates) < _MAX_KINDS:
            self._templates[key] = template if usable else None
        return theirs

    @staticmethod
    def _from_template(
        template: _Template,
        method: str,
        url: httpx.URL,
        body: Any,
        extensions: dict[str, Any],
    ) -> httpx.Request:
        content = b"" if body is None else _encode(body)
        # Given a stream, httpx takes the headers as they are (copying a Headers copies
        # its list) instead of deriving and normalizing them again.
        request = httpx.Request(
            method,
            url,
            headers=template.headers,
            stream=httpx.ByteStream(content),
            extensions=extensions,
        )
        # As httpx does for a body given whole: `.content` is there at once.
        request.read()
        if body is not None and len(content) != template.content_length:
            request.headers["Content-Length"] = str(len(content))
        return request
