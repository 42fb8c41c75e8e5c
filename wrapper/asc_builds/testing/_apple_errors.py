"""Error bodies shaped like App Store Connect's ``ErrorResponse``.

Codes, titles and details follow what Apple sends for this endpoint as seen in public
client code and reports. Every error carries ``detail`` because the pinned schema
requires it, although some real 409s omit it.
"""

from __future__ import annotations

import uuid
from typing import Any

import attrs

__all__ = [
    "AppleError",
    "bad_json",
    "error_body",
    "forbidden",
    "method_not_allowed",
    "not_authorized",
    "not_found",
    "path_not_found",
    "rate_limited",
    "unexpected_error",
]

_GENERATING_TOKENS = "https://developer.apple.com/go/?id=api-generating-tokens"


@attrs.frozen
class AppleError:
    """One entry of ``ErrorResponse.errors``."""

    status: int
    code: str
    title: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "status": str(self.status),
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        }
        if self.pointer is not None:
            entry["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            entry["source"] = {"parameter": self.parameter}
        return entry


def error_body(errors: list[AppleError]) -> dict[str, Any]:
    return {"errors": [error.to_json() for error in errors]}


def not_authorized() -> AppleError:
    # Apple does not say which check failed; the fake's reason goes to the record only.
    return AppleError(
        401,
        "NOT_AUTHORIZED",
        "Authentication credentials are missing or invalid.",
        "Provide a properly configured and signed bearer token, and make sure that it "
        f"has not expired. Learn more about Generating Tokens for API Requests "
        f"{_GENERATING_TOKENS}",
    )


def forbidden(detail: str = "The API key in use does not allow this request") -> AppleError:
    return AppleError(
        403, "FORBIDDEN_ERROR", "This request is forbidden for security reasons", detail
    )


def not_found(resource_type: str, resource_id: str, pointer: str | None = None) -> AppleError:
    return AppleError(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        f"There is no resource of type '{resource_type}' with id '{resource_id}'",
        pointer=pointer,
    )


def path_not_found(path: str) -> AppleError:
    return AppleError(
        404,
        "NOT_FOUND",
        "The specified resource does not exist",
        f"The path provided does not match a defined resource type: {path}",
    )


def method_not_allowed(method: str) -> AppleError:
    return AppleError(
        405,
        "METHOD_NOT_ALLOWED",
        "The request method is not valid for the resource path.",
        f"The request method {method} is not supported by this fake for the resource path.",
    )


def bad_json(detail: str) -> AppleError:
    return AppleError(400, "PARAMETER_ERROR.INVALID", "The request body is not valid.", detail)


def rate_limited() -> AppleError:
    return AppleError(
        429,
        "RATE_LIMIT_EXCEEDED",
        "The request rate limit has been reached.",
        "We've received too many requests for this API. Please wait and try again or "
        "slow down your request rate.",
    )


def unexpected_error() -> AppleError:
    return AppleError(
        500,
        "UNEXPECTED_ERROR",
        "An unexpected error occurred.",
        "An unexpected error occurred on the server side. If this issue continues, "
        "contact us at https://developer.apple.com/contact/.",
    )
