"""Reading the response headers the SDK acts on: request id, `Retry-After`, `Date`."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping

__all__ = ["REQUEST_ID_HEADERS", "parse_http_date", "parse_retry_after", "request_id"]

# Apple support asks for the request id; the first header present wins.
REQUEST_ID_HEADERS = ("x-request-id", "x-apple-request-uuid", "x-apple-jingle-correlation-key")


def request_id(headers: Mapping[str, str]) -> str | None:
    """The id Apple gave this request, or None when no known header carries one."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def parse_http_date(value: str | None) -> float | None:
    """An RFC 9110 HTTP date as a POSIX timestamp; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        # HTTP dates are GMT by definition; a naive result means the zone was "-0000".
        return None
    return parsed.timestamp()


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP date).

    None when absent or unreadable; never negative (a date in the past means "now").
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        moment = parse_http_date(text)
        if moment is None:
            return None
        seconds = moment - now
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)
