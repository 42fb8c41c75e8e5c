"""Error mapping: the one place an error response becomes the SDK's exception.

The classes are in `_exceptions`; here the status picks the class, the body gives Apple's
`errors[]` entries (or a bounded piece of the raw text), and the headers give the request
id, `Retry-After` and the clock-skew note of a 401.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import httpx

from ._body import JSONTooDeep, decode_json
from ._exceptions import (
    APIStatusError,
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
from ._headers import parse_http_date, parse_retry_after, request_id
from ._rate_limit import RateLimit

__all__ = ["error_from_response", "raw_text"]

# Longest non-JSON body kept on an error: enough to recognise a proxy's HTML page.
_MAX_RAW_BODY = 2000

_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _error_class(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def raw_text(content: bytes) -> str:
    """The start of a body as text, for errors to keep: bounded, never the whole body."""
    return content[:_MAX_RAW_BODY].decode("utf-8", errors="replace")


def _read_errors(
    response: httpx.Response,
) -> tuple[tuple[ErrorEntry, ...], str | None, str | None]:
    """The `errors[]` entries, or the raw text when the body is not JSON, or why the body
    cannot be read at all."""
    content = response.content
    if not content.strip():
        return (), None, None
    try:
        document = decode_json(content)
    except JSONTooDeep as error:
        return (), None, str(error)
    except ValueError:
        return (), raw_text(content), None
    entries = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return (), None, None
    return tuple(ErrorEntry.from_json(entry) for entry in entries), None, None


def _clock_note(response: httpx.Response, *, now: float, allowance: float) -> str | None:
    server_time = parse_http_date(response.headers.get("date"))
    if server_time is None:
        return None
    offset = now - server_time
    if abs(offset) <= allowance:
        return None
    direction = "ahead of" if offset > 0 else "behind"
    return (
        f"local clock is {abs(offset):.0f} s {direction} App Store Connect's; "
        "tokens are only accepted within their validity window, so fix the system clock"
    )


def error_from_response(
    response: httpx.Response,
    *,
    now: float,
    clock_allowance: float,
    unauthorized_hint: str | None = None,
    unread: str | None = None,
    rate_limit: RateLimit | None = None,
) -> APIStatusError:
    """The exception for an error response; `now` is the local time the response arrived.

    `unauthorized_hint` is added to a 401's message (what the client knows about its key).
    `unread` says why the body was not read (too large, undecodable); the status still
    decides the error's class, so a 5xx is retried all the same.
    """
    status_code = response.status_code
    errors: tuple[ErrorEntry, ...] = ()
    raw_body = None
    if unread is None:
        errors, raw_body, unread = _read_errors(response)
    rid = request_id(response.headers)

    if unread:
        summary = f"{_reason(status_code)} ({unread})"
    elif errors:
        summary = "; ".join(entry.describe() for entry in errors)
    elif raw_body is not None:
        content_type = response.headers.get("content-type", "unknown type")
        summary = f"{_reason(status_code)} (non-JSON body, {content_type})"
    elif response.content.strip():
        summary = f"{_reason(status_code)} (JSON body without errors[])"
    else:
        summary = f"{_reason(status_code)} (empty body)"
    message = f"{status_code} {summary}"
    if 300 <= status_code < 400:
        location = response.headers.get("location")
        message += "; redirects are never followed (the request carries a token)" + (
            f", Location: {location[:200]!r}" if location else ""
        )

    retry_after = parse_retry_after(response.headers.get("retry-after"), now=now)
    if status_code == 401:
        note = _clock_note(response, now=now, allowance=clock_allowance)
        if note:
            message += f"; {note}"
        if unauthorized_hint:
            message += f"; {unauthorized_hint}"
    if status_code == 429 and retry_after is not None:
        message += f"; retry after {retry_after:.0f} s"
    if rid:
        message += f" [request id {rid}]"

    fields: dict[str, Any] = {
        "status_code": status_code,
        "errors": errors,
        "request_id": rid,
        "rate_limit": rate_limit,
        "body": raw_body,
        "headers": response.headers,
    }
    error_class = _error_class(status_code)
    if error_class is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **fields)
    return error_class(message, **fields)
