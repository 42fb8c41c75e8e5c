"""Every error the SDK raises, and the one place a response becomes an exception.

```
AppStoreConnectError
├── InvalidInputError            (also a ValueError) bad input, found before anything is sent
│   └── APIKeyError              missing or unusable key
├── BudgetExhaustedError         the hourly request budget needs a longer wait than allowed
├── APIConnectionError           no response: DNS, refused, reset, TLS
│   └── APITimeoutError          includes the total deadlines (attempt_timeout, call_timeout)
├── APIStatusError               a response with status >= 400
│   ├── BadRequestError          400
│   ├── AuthenticationError      401
│   ├── PermissionDeniedError    403
│   ├── NotFoundError            404
│   ├── ConflictError            409
│   ├── UnprocessableEntityError 422
│   ├── RateLimitError           429
│   └── ServerError              5xx
├── ResponseValidationError      a 2xx whose body the SDK cannot read or trust (or a link in it)
│   ├── ResponseTooLargeError    larger than max_response_bytes (inflated)
│   └── UnverifiedChangeError    ... to a PATCH, or not the build asked for: the change was
│                                (or may have been) applied
├── NoMatchError                 (also a LookupError) a find that matched nothing
│   ├── AppNotFoundError         no app has exactly this bundle id
│   └── BuildNotFoundError       no build matches the criteria
├── AmbiguousBuildError          more than one build matches the criteria
├── NotAttemptedError            a batch's id never sent: the batch was interrupted
├── RequestAbandonedError        a batch's id cut off in flight: it may have been applied
└── (in asc_builds.jobs, raised by the jobs)
    ├── DeclarationRefusedError  a declaration unfit for the build: nothing was sent
    ├── ProcessingFailedError    the build finished processing FAILED or INVALID
    └── WaitTimeoutError         the build was not processed in time

BatchInterrupted                 (a KeyboardInterrupt) Ctrl-C stopped a sync batch;
                                 `outcomes` says what happened to each id
```

A malformed *error* response is never a ResponseValidationError: it is read tolerantly
into its APIStatusError (the raw text kept when it is not JSON).

No message or repr here ever includes request headers, so the bearer token cannot leak
through an exception. `ApiKeyError` is the former name of `APIKeyError`, kept as an alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from ._rate_limit import RateLimit

__all__ = [
    "APIConnectionError",
    "APIKeyError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousAppError",
    "AmbiguousBuildError",
    "ApiKeyError",
    "AppNotFoundError",
    "AppStoreConnectError",
    "AuthenticationError",
    "BadRequestError",
    "BatchInterrupted",
    "BudgetExhaustedError",
    "BuildNotFoundError",
    "ConflictError",
    "ErrorEntry",
    "InvalidInputError",
    "NoMatchError",
    "NotAttemptedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestAbandonedError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "UnprocessableEntityError",
    "UnverifiedChangeError",
]


class AppStoreConnectError(Exception):
    """Base of every error this SDK raises."""


class InvalidInputError(AppStoreConnectError, ValueError):
    """An argument or setting is unusable (a malformed id, a string where a list of ids is
    expected, a bad option); raised before any request is sent.

    A `ValueError` as well, so code written against the standard exception keeps working.
    """


class APIKeyError(InvalidInputError):
    """The API key is missing, unreadable or not an App Store Connect key."""


# The name before the capitalisation was made consistent with APIStatusError & co.
ApiKeyError = APIKeyError


class BudgetExhaustedError(AppStoreConnectError):
    """The hourly request budget needs a longer wait than `max_wait` allows; nothing was sent.

    `wait_seconds` is the wait the budget asked for; `limit` the announced hourly limit.
    """

    def __init__(self, message: str, *, wait_seconds: float, limit: int | None) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds
        self.limit = limit


class APIConnectionError(AppStoreConnectError):
    """The request got no response (DNS, refused or reset connection, TLS)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


@attrs.frozen
class ErrorEntry:
    """One entry of an `ErrorResponse.errors[]`, read tolerantly: Apple omits fields."""

    status: str | None = None
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    id: str | None = None
    source_pointer: str | None = None
    source_parameter: str | None = None
    meta: Mapping[str, Any] | None = None
    # Keyed by the resource path Apple names in `meta.associatedErrors`.
    associated_errors: Mapping[str, tuple[ErrorEntry, ...]] = attrs.field(factory=dict)

    @classmethod
    def from_json(cls, data: object) -> ErrorEntry:
        if not isinstance(data, Mapping):
            return cls(detail=str(data))
        source = data.get("source")
        source = source if isinstance(source, Mapping) else {}
        meta = data.get("meta")
        meta = meta if isinstance(meta, Mapping) else None
        associated: dict[str, tuple[ErrorEntry, ...]] = {}
        raw_associated = meta.get("associatedErrors") if meta else None
        if isinstance(raw_associated, Mapping):
            for path, entries in raw_associated.items():
                if isinstance(entries, list):
                    associated[str(path)] = tuple(cls.from_json(entry) for entry in entries)
        return cls(
            status=_text(data.get("status")),
            code=_text(data.get("code")),
            title=_text(data.get("title")),
            detail=_text(data.get("detail")),
            id=_text(data.get("id")),
            source_pointer=_text(source.get("pointer")),
            source_parameter=_text(source.get("parameter")),
            meta=meta,
            associated_errors=associated,
        )

    def describe(self) -> str:
        """`CODE: detail (at /pointer)`, the way the API itself words it."""
        text = self.detail or self.title or "no detail given"
        line = f"{self.code}: {text}" if self.code else text
        if self.source_pointer:
            line += f" (at {self.source_pointer})"
        elif self.source_parameter:
            line += f" (parameter {self.source_parameter})"
        return line


def _text(value: object) -> str | None:
    return None if value is None else str(value)


class APIStatusError(AppStoreConnectError):
    """App Store Connect answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: tuple[ErrorEntry, ...],
        request_id: str | None,
        rate_limit: RateLimit | None,
        body: str | None,
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.errors = errors
        self.request_id = request_id
        self.rate_limit = rate_limit
        # The raw body only when it is not JSON (a proxy's HTML page, say): with JSON,
        # `errors` already holds everything.
        self.body = body
        # Response headers only; request headers (with the token) are never kept.
        self.headers = dict(headers)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class BadRequestError(APIStatusError):
    """400: the request is malformed."""


class AuthenticationError(APIStatusError):
    """401: the token was rejected (wrong key, revoked key, or a skewed clock)."""


class PermissionDeniedError(APIStatusError):
    """403: the key's role may not do this."""


class NotFoundError(APIStatusError):
    """404: no such build or declaration, or not visible to this key."""


class ConflictError(APIStatusError):
    """409: the change conflicts with the build's state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well-formed but its content is refused."""


class RateLimitError(APIStatusError):
    """429: the hourly budget is spent; `retry_after` is in seconds when Apple said."""

    def __init__(self, message: str, *, retry_after: float | None, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: App Store Connect failed."""


class ResponseValidationError(AppStoreConnectError):
    """A success status arrived whose body the SDK cannot read (or trust) as the expected
    document."""

    def __init__(self, message: str, *, request_id: str | None) -> None:
        super().__init__(message)
        self.request_id = request_id


class ResponseTooLargeError(ResponseValidationError):
    """A 2xx body passed `max_response_bytes` (counted inflated); reading stopped there.

    `reason` is the message without the request it answered.
    """

    def __init__(
        self, message: str, *, limit: int, status_code: int, request_id: str | None, reason: str
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.limit = limit
        self.status_code = status_code
        self.reason = reason


# Longest 2xx body kept on an UnverifiedChangeError: a whole BuildResponse with a few
# `included` resources fits; a runaway body does not stay in memory with the error.
_MAX_UNVERIFIED_BODY = 64 * 1024


class UnverifiedChangeError(ResponseValidationError):
    """App Store Connect answered 2xx to a PATCH, so the change was (or may have been)
    applied, but the SDK cannot read or trust the body (unparseable even leniently, or
    not the build that was asked for). Do not simply retry as if nothing happened:
    re-read the build. `body` is the raw body, cut at 64 KiB."""

    def __init__(
        self,
        message: str,
        *,
        build_id: str,
        status_code: int,
        request_id: str | None,
        body: str | bytes | None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.build_id = build_id
        self.status_code = status_code
        if isinstance(body, bytes):
            body = body[:_MAX_UNVERIFIED_BODY].decode("utf-8", errors="replace")
        self.body = None if body is None else body[:_MAX_UNVERIFIED_BODY]

    def __repr__(self) -> str:
        # The body can be large: the repr names the build and status only.
        return (
            f"{type(self).__name__}(build_id={self.build_id!r}, "
            f"status_code={self.status_code}, request_id={self.request_id!r})"
        )


class NotAttemptedError(AppStoreConnectError):
    """A batch was interrupted (Ctrl-C, or its task cancelled) before this id was sent."""


class RequestAbandonedError(AppStoreConnectError):
    """A batch was cancelled while this id's request was in flight: it may have been
    applied; read the build again to know."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sync `expire_many`: no new request was started after it.

    `outcomes` holds one `BuildOutcome` per id, in input order: its `status` is "changed",
    "failed" or "not attempted". A KeyboardInterrupt, so that code not expecting it still
    stops as Ctrl-C always does.
    """

    def __init__(self, outcomes: list[Any]) -> None:
        super().__init__("interrupted")
        self.outcomes = outcomes


def _criteria_text(criteria: Mapping[str, object]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in criteria.items())


class NoMatchError(AppStoreConnectError, LookupError):
    """A `find` matched nothing; `criteria` holds what was asked for."""

    def __init__(self, message: str, *, criteria: Mapping[str, object]) -> None:
        super().__init__(message)
        self.criteria = dict(criteria)


class AppNotFoundError(NoMatchError):
    """No app visible to this key has exactly this bundle id.

    `near_matches` are the bundle ids Apple's `filter[bundleId]` returned that are not
    the exact one (it also matches, for example, `com.example.app.widget`).
    """

    def __init__(self, bundle_id: str, *, near_matches: tuple[str, ...] = ()) -> None:
        message = f"no app with bundle id {bundle_id!r} is visible to this API key"
        if near_matches:
            message += f" (Apple returned only other bundle ids: {', '.join(near_matches)})"
        super().__init__(message, criteria={"bundle_id": bundle_id})
        self.bundle_id = bundle_id
        self.near_matches = near_matches


class AmbiguousAppError(AppStoreConnectError):
    """Several apps visible to this key have exactly this bundle id: none is picked."""

    def __init__(self, bundle_id: str, app_ids: tuple[str, ...]) -> None:
        super().__init__(
            f"{len(app_ids)} apps have bundle id {bundle_id!r} ({', '.join(app_ids)}): "
            "name the app by its id instead"
        )
        self.bundle_id = bundle_id
        self.app_ids = app_ids


class BuildNotFoundError(NoMatchError):
    """No build matches the criteria of a `builds.find`."""

    def __init__(self, criteria: Mapping[str, object]) -> None:
        super().__init__(f"no build matches {_criteria_text(criteria)}", criteria=criteria)


class AmbiguousBuildError(AppStoreConnectError):
    """More than one build matches the criteria of a `builds.find`; `candidates` lists them
    (each an `asc_builds.BuildInfo`), so the caller can narrow the criteria."""

    def __init__(self, criteria: Mapping[str, object], candidates: tuple[Any, ...]) -> None:
        described = "; ".join(str(candidate) for candidate in candidates[:10])
        more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(
            f"{len(candidates)} builds match {_criteria_text(criteria)}: {described}{more}"
        )
        self.criteria = dict(criteria)
        self.candidates = candidates
