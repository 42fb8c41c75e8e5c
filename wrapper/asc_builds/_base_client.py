"""What the sync and async clients share: settings, request building, response handling.

The one send loop (`_send`) uses these; each client's driver (`_drivers`) only does the
I/O. Retry decisions live in `_retry`, error mapping in `_exceptions`, body limits in
`_body`, the sync deadline in `_deadline`. Every operation, reads included, goes through
that one loop, so every one of them gets
the same guards: a total deadline per attempt and per call, a size limit on the inflated
body, redirects never followed, and errors that keep no request (and so no token).
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from ._auth import DEFAULT_IAT_BACKDATE, AppStoreConnectAuth, TokenSigner
from ._body import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_BYTES, BodyReader
from ._budget import BudgetTicket, RateBudget
from ._defaults import DEFAULT_CALL_TIMEOUT
from ._error_mapping import error_from_response
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    AppStoreConnectError,
    InvalidInputError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from ._headers import request_id
from ._keys import APIKey
from ._logging import log_response
from ._rate_limit import RATE_LIMIT_HEADER, RateLimit, parse_rate_limit
from ._request_factory import RequestFactory
from ._request_url import RequestUrls
from ._retry import RetryPolicy
from ._steps import Answer
from ._version import USER_AGENT

__all__ = [
    "APP_STORE_CONNECT_BASE_URL",
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "ENTERPRISE_BASE_URL",
    "ClientCore",
    "validate_base_url",
]

APP_STORE_CONNECT_BASE_URL = "https://api.appstoreconnect.apple.com"
ENTERPRISE_BASE_URL = "https://api.enterprise.developer.apple.com"
# The generated client defaults to no timeout at all; a hung connection must not hang CI.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Totals, whatever the server does (httpx's timeouts restart with every byte received).
# An attempt: connect, send, headers and the whole body. A call: every attempt and every
# wait between retries; a retry that could not finish in time is not started.
DEFAULT_ATTEMPT_TIMEOUT = 60.0


_API_VERSION_SUFFIX = re.compile(r"/v\d+/?$")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# What stands between "//" and "@" in a URL: a user name and maybe a password.
_USERINFO = re.compile(r"//[^/?#]*@")


def _without_credentials(text: str) -> str:
    """`text` with any user name and password in a URL replaced: a refusal never repeats
    a secret it was handed."""
    return _USERINFO.sub("//***@", text)


def validate_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; refuses cleartext except to loopback."""
    shown = _without_credentials(repr(base_url)) if isinstance(base_url, str) else repr(base_url)
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as error:
        reason = _without_credentials(str(error))
        raise InvalidInputError(f"base_url {shown} is not a URL: {reason}") from None
    if url.userinfo:
        raise InvalidInputError(
            f"base_url {shown} carries credentials: give the address alone (the API key signs "
            "every request)"
        )
    if url.scheme not in ("https", "http") or not url.host:
        raise InvalidInputError(f"base_url must be an absolute http(s) URL; got {shown}")
    if url.scheme == "http" and not _is_loopback(url.host):
        raise InvalidInputError(
            f"base_url {shown} is plain http: tokens would travel in clear text; use "
            "https (plain http is only allowed to a loopback host, for tests)"
        )
    if url.query or url.fragment:
        raise InvalidInputError("base_url must not carry credentials, a query or a fragment")
    if _API_VERSION_SUFFIX.search(url.path):
        # Operation paths start with /v1/, so this base would send /v1/v1/builds/...
        host_only = str(url.copy_with(path="/")).rstrip("/")
        raise InvalidInputError(
            f"base_url {shown} ends with an API version; give the address without it "
            f"({host_only!r}): the client adds /v1/... to every request"
        )
    return str(url).rstrip("/")


class ClientCore:
    """Settings and per-response bookkeeping shared by both clients."""

    def __init__(
        self,
        key: APIKey,
        *,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        scope: Sequence[str] | None,
        now: Callable[[], float],
        random: Callable[[], float],
        attempt_timeout: float = DEFAULT_ATTEMPT_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        budget: RateBudget | None = None,
    ) -> None:
        if not isinstance(key, APIKey):
            raise TypeError("key must be an APIKey (see APIKey.from_env)")
        default_url = ENTERPRISE_BASE_URL if key.enterprise else APP_STORE_CONNECT_BASE_URL
        self.base_url = validate_base_url(base_url if base_url is not None else default_url)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        # What httpx's build_request would derive from `timeout` on every call.
        self._timeout_extension = self.timeout.as_dict()
        self.urls = RequestUrls(self.base_url)
        self.requests = RequestFactory()
        self.retry = RetryPolicy(max_retries=max_retries, random=random)
        self.now = now
        self.signer = TokenSigner(key, scope=scope, now=now, iat_backdate=DEFAULT_IAT_BACKDATE)
        self.auth = AppStoreConnectAuth(self.signer)
        # The server's clock may differ by the backdate before tokens start failing.
        self.clock_allowance = float(DEFAULT_IAT_BACKDATE)
        self.last_rate_limit: RateLimit | None = None
        # A team key used without its issuer id fails only with a bare 401: say which was used.
        self.unauthorized_hint = (
            "this key was used as an individual key (no issuer id); if it is a team key, "
            "give its issuer id (ASC_ISSUER_ID)"
            if key.is_individual
            else None
        )
        self.attempt_timeout = _positive_seconds(attempt_timeout, "attempt_timeout")
        self.call_timeout = _positive_seconds(call_timeout, "call_timeout")
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise InvalidInputError("max_response_bytes must be a positive int")
        self.max_response_bytes = max_response_bytes
        if budget is not None and not isinstance(budget, RateBudget):
            raise TypeError("budget must be a RateBudget")
        self.budget = budget if budget is not None else RateBudget()

    def call_deadline(self) -> float:
        """The monotonic time by which a call that starts now must be over."""
        return time.monotonic() + self.call_timeout

    def attempt_deadline(self, call_deadline: float) -> float:
        return min(time.monotonic() + self.attempt_timeout, call_deadline)

    def body_reader(self, response: httpx.Response) -> BodyReader:
        """A reader for the raw chunks still to come, or one already fed with the body a
        transport returned read (an `httpx.MockTransport` handler's response)."""
        if response.is_stream_consumed:
            reader = BodyReader(None, self.max_response_bytes)
            reader.feed(response.content)
            return reader
        return BodyReader(response.headers.get("content-encoding"), self.max_response_bytes)

    def replay_after_401(self, request: httpx.Request) -> None:
        """Forget the token a 401 refused, so that the one replay signs a fresh one."""
        sent = request.headers.get("authorization", "")
        self.signer.invalidate(sent.removeprefix("Bearer "))

    def settle(
        self, ticket: BudgetTicket, rate_limit: RateLimit | None, *, rejected: bool = False
    ) -> None:
        """Tell the budget one request ended, with what its answer announced (None: no
        answer, or none announced)."""
        self.budget.settle(ticket, rate_limit, self.now(), rejected=rejected)

    def build_request(
        self, http: httpx.Client | httpx.AsyncClient, operation: Mapping[str, Any]
    ) -> httpx.Request:
        """An httpx request from the generated operation's `_get_kwargs` output.

        `url` is a path, or an absolute link Apple gave (a page's `links.next`): such a
        link is only followed on this client's own base URL, so that the token never
        goes to a host a response named.
        """
        path: str = operation["url"]
        method: str = operation["method"].upper()
        headers = {
            **operation.get("headers", {}),
            "User-Agent": USER_AGENT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        extensions = {"timeout": dict(self._timeout_extension)}
        if path.startswith("/"):
            # The same request as `url=self.base_url + operation["url"], timeout=self.timeout`
            # (tests compare the two), without parsing the URL, the timeout and the headers
            # again on every call.
            url: httpx.URL | str = self.urls.url(path)
        elif path.startswith(self.base_url + "/"):
            url = path
        else:
            raise ResponseValidationError(
                f"refusing to follow a link outside {self.base_url}: {path[:200]!r}",
                request_id=None,
            )
        return self.requests.build(
            http,
            method,
            url,
            params=operation.get("params"),
            body=operation.get("json"),
            headers=headers,
            extensions=extensions,
        )

    def connection_error(
        self, error: Exception, request: httpx.Request, *, deadline: float
    ) -> APIConnectionError:
        """The SDK's error for a failed attempt: a summary only.

        Callers raise it outside their `except` block, so that neither `__cause__` nor
        `__context__` holds httpx's exception: that one keeps the request, and the request
        keeps the live token in its Authorization header.
        """
        where = f"{request.method} {request.url.path}"
        if time.monotonic() >= deadline:
            return APITimeoutError(
                f"{where} got no complete response within its total deadline "
                f"(attempt_timeout={self.attempt_timeout:g} s, "
                f"call_timeout={self.call_timeout:g} s)"
            )
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(f"{where} timed out ({type(error).__name__})")
        return APIConnectionError(f"{where} failed: {type(error).__name__}: {error}")

    def read_answer(self, answer: Answer, ticket: BudgetTicket) -> AppStoreConnectError | None:
        """Read one answer once: its rate limit (recorded and settled with the budget), its
        log line, and the SDK's error for it (None for a readable 2xx).

        `answer.content` is the body as read by `body_reader`; None with `answer.unread`
        saying why when it could not be read (too large, undecodable).
        """
        response = answer.response
        # The body was streamed and inflated here, not by httpx: hand it to the response
        # so that `.content` and `.json()` work as usual (an httpx private attribute, the
        # one `Response.read()` fills; tests/wrapper/test_limits.py checks it).
        response._content = b"" if answer.content is None else answer.content
        elapsed = time.perf_counter() - answer.started
        rate_limit = parse_rate_limit(response.headers.get(RATE_LIMIT_HEADER))
        if rate_limit is not None:
            self.last_rate_limit = rate_limit
        status_code = response.status_code
        self.budget.settle(ticket, rate_limit, self.now(), rejected=status_code == 429)
        log_response(response, elapsed=elapsed)
        unread = answer.unread
        # Redirects are never followed (the token must not go elsewhere), so a 3xx is an error.
        if not response.is_success:
            return error_from_response(
                response,
                now=self.now(),
                clock_allowance=self.clock_allowance,
                unauthorized_hint=self.unauthorized_hint,
                unread=unread,
                rate_limit=rate_limit,
            )
        if unread is None:
            return None
        where = f"{status_code} response to {response.request.method} " + (
            response.request.url.path
        )
        rid = request_id(response.headers)
        suffix = f" [request id {rid}]" if rid else ""
        if answer.limit_passed:
            return ResponseTooLargeError(
                f"{where}: {unread}{suffix}",
                limit=self.max_response_bytes,
                status_code=status_code,
                request_id=rid,
                reason=unread,
            )
        return ResponseValidationError(f"{where}: {unread}{suffix}", request_id=rid)


def _positive_seconds(value: float, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value < float("inf")
    ):
        raise InvalidInputError(f"{name} must be a positive number of seconds; got {value!r}")
    return float(value)
