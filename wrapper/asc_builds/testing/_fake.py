"""The fake service: in-memory state, auth, faults, rate limit, recording.

``handle`` is the pure core shared by every adapter: it maps one request to an
``Outcome`` under a lock. Adapters (``transport``, ``async_transport``, ``serve``) only
move bytes and carry out delays and dropped connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import attrs

from .._client import AppStoreConnect, AsyncAppStoreConnect
from . import _apple_errors as apple
from ._exchange import FakeResponse, Outcome
from ._faults import (
    FAULT_TYPES,
    Delay,
    DropConnection,
    Fault,
    MalformedBody,
    RateLimited,
    ServerErrorFault,
)
from ._hourly_budget import RollingHourBudget
from ._keys import ThrowawayKey, make_throwaway_key
from ._reads import Store, answer_read
from ._records import RecordedRequest, RequestHeaders
from ._state import FakeApp, FakeBuild, FakeEncryptionDeclaration, build_document
from ._token_check import PublicKeyInput, RegisteredKey, check_token, load_public_key
from ._transports import FakeAsyncTransport, FakeTransport
from ._update_build import parse_json_body, update_build

__all__ = ["REQUEST_ID_HEADER", "FakeAppStoreConnect"]

REQUEST_ID_HEADER = "x-request-id"
_BUILD_PATH = re.compile(r"/v1/builds/(?P<id>[^/]+)")
_DEFAULT_APP_ID = "6443000001"
_DAY = 86_400.0
_HTML_PAGES = {
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FakeAppStoreConnect:
    """An in-memory App Store Connect for ``PATCH /v1/builds/{id}`` and the reads around it.

    ``clock`` gives epoch seconds; ``sleep``/``async_sleep`` carry out injected delays in
    the in-process transports (pass a ``ManualClock``'s methods to avoid real sleeping).
    ``jwt_leeway_seconds`` is the tolerance for ``iat``/``exp`` checks.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jwt_leeway_seconds: float = 10.0,
        rate_limit_per_hour: int = 3600,
    ) -> None:
        if jwt_leeway_seconds < 0 or rate_limit_per_hour < 1:
            raise ValueError("jwt_leeway_seconds must be >= 0 and rate_limit_per_hour >= 1")
        self._clock = clock
        self.sleep = sleep
        self.async_sleep = async_sleep
        self._leeway = jwt_leeway_seconds
        self._budget = RollingHourBudget(rate_limit_per_hour)
        self._lock = threading.RLock()
        self._apps: dict[str, FakeApp] = {}
        self._builds: dict[str, FakeBuild] = {}
        self._declarations: dict[str, FakeEncryptionDeclaration] = {}
        self._keys: dict[str, RegisteredKey] = {}
        self._faults: deque[Fault] = deque()
        self._requests: list[RecordedRequest] = []
        self._clock_offset = 0.0

    # -- seeding -------------------------------------------------------------------

    def add_app(
        self,
        id: str | None = None,
        *,
        bundle_id: str = "com.example.app",
        name: str | None = None,
        sku: str | None = None,
    ) -> FakeApp:
        """Store an app; ``GET /v1/apps?filter[bundleId]=...`` finds it."""
        app = FakeApp(
            id=id or str(6_443_000_000 + len(self._apps) + 100),
            bundle_id=bundle_id,
            name=name or bundle_id.rsplit(".", 1)[-1].capitalize(),
            sku=sku or bundle_id.upper().replace(".", "_"),
        )
        with self._lock:
            self._apps[app.id] = app
        return app

    def add_build(
        self,
        id: str | None = None,
        *,
        app_id: str = _DEFAULT_APP_ID,
        version: str = "1",
        marketing_version: str = "1.0",
        platform: str = "IOS",
        expired: bool = False,
        uses_non_exempt_encryption: bool | None = None,
        encryption_declaration_id: str | None = None,
        processing_state: str = "VALID",
        min_os_version: str = "17.0",
        uploaded_at: float | None = None,
    ) -> FakeBuild:
        """Store a build (by default uploaded a day ago by the fake's clock; it expires 90
        days after upload). ``version`` is the build number (CFBundleVersion),
        ``marketing_version`` the CFBundleShortVersionString."""
        uploaded = self.now() - _DAY if uploaded_at is None else uploaded_at
        build = FakeBuild(
            id=id or str(uuid.uuid4()),
            app_id=app_id,
            version=version,
            marketing_version=marketing_version,
            platform=platform,
            expired=expired,
            uses_non_exempt_encryption=uses_non_exempt_encryption,
            encryption_declaration_id=encryption_declaration_id,
            processing_state=processing_state,
            min_os_version=min_os_version,
            uploaded_at=uploaded,
            expires_at=uploaded + 90 * _DAY,
        )
        with self._lock:
            self._builds[build.id] = build
        return build

    def add_app_with_builds(
        self,
        bundle_id: str = "com.example.app",
        *,
        builds: int = 30,
        marketing_versions: tuple[str, ...] = ("1.0", "1.1", "2.0", "2.1.0"),
        hours_between_uploads: float = 6.0,
    ) -> tuple[FakeApp, list[FakeBuild]]:
        """An app with a realistic history, in one call.

        Build numbers run 1..``builds``, oldest first, spread in order over
        ``marketing_versions``; one upload every ``hours_between_uploads``, the newest a
        hour ago and still ``PROCESSING``; builds past their 90 days are expired; every
        25th build ``FAILED``; every 10th processed build uses non-exempt encryption and
        has the app's approved declaration, the others answered exempt. The app's
        declaration is stored too (``fake.declarations_of(app.id)``).
        """
        if isinstance(builds, bool) or not isinstance(builds, int) or builds < 0:
            raise ValueError("builds must be a non-negative int")
        if not marketing_versions:
            raise ValueError("marketing_versions must name at least one version")
        app = self.add_app(bundle_id=bundle_id)
        declaration = self.add_encryption_declaration(app_id=app.id)
        now = self.now()
        per_version = max(1, -(-builds // len(marketing_versions)))
        made: list[FakeBuild] = []
        for number in range(1, builds + 1):
            uploaded = now - 3600 - (builds - number) * hours_between_uploads * 3600
            newest = number == builds
            state = "PROCESSING" if newest else "FAILED" if number % 25 == 0 else "VALID"
            encrypted = None if state != "VALID" else number % 10 == 0
            made.append(
                FakeBuild(
                    id=str(uuid.uuid4()),
                    app_id=app.id,
                    version=str(number),
                    marketing_version=marketing_versions[(number - 1) // per_version],
                    expired=now >= uploaded + 90 * _DAY,
                    uses_non_exempt_encryption=encrypted,
                    encryption_declaration_id=declaration.id if encrypted else None,
                    processing_state=state,
                    uploaded_at=uploaded,
                    expires_at=uploaded + 90 * _DAY,
                )
            )
        with self._lock:
            self._builds.update((build.id, build) for build in made)
        return app, made

    def add_encryption_declaration(
        self, id: str | None = None, *, app_id: str = _DEFAULT_APP_ID, state: str = "APPROVED"
    ) -> FakeEncryptionDeclaration:
        declaration = FakeEncryptionDeclaration(
            id=id or str(uuid.uuid4()),
            app_id=app_id,
            state=state,  # type: ignore[arg-type]  # checked by the attrs validator
        )
        with self._lock:
            self._declarations[declaration.id] = declaration
        return declaration

    def set_processing_state(self, id: str, state: str) -> FakeBuild:
        """Move a build's processing on, as App Store Connect does after an upload."""
        with self._lock:
            build = attrs.evolve(self._builds[id], processing_state=state)
            self._builds[id] = build
        return build

    def build(self, id: str) -> FakeBuild:
        """The build's current state; ``KeyError`` when unknown."""
        with self._lock:
            return self._builds[id]

    def builds_of(self, app_id: str) -> list[FakeBuild]:
        """Every build of the app, in the order they were stored."""
        with self._lock:
            return [build for build in self._builds.values() if build.app_id == app_id]

    def declarations_of(self, app_id: str) -> list[FakeEncryptionDeclaration]:
        with self._lock:
            return [d for d in self._declarations.values() if d.app_id == app_id]

    def register_key(
        self, key_id: str, public_key: PublicKeyInput, *, issuer_id: str | None = None
    ) -> None:
        """Trust ``public_key`` for tokens with ``kid == key_id``.

        With ``issuer_id`` it is a team key (tokens need that ``iss``); without, an
        individual key (tokens need ``sub: "user"``).
        """
        if not key_id:
            raise ValueError("key_id must not be empty")
        registered = RegisteredKey(key_id, load_public_key(public_key), issuer_id)
        with self._lock:
            self._keys[key_id] = registered

    def add_throwaway_key(self, *, individual: bool = False) -> ThrowawayKey:
        """Make a new P-256 key, register its public half, return it (PEM never printed)."""
        key = make_throwaway_key(individual=individual)
        self.register_key(key.key_id, key.public_key_pem, issuer_id=key.issuer_id)
        return key

    # -- faults and time -------------------------------------------------------------

    def inject(self, fault: Fault, *, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests (after faults already queued)."""
        if not isinstance(fault, FAULT_TYPES):
            raise TypeError(f"not a fault: {fault!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError("times must be a positive integer")
        with self._lock:
            self._faults.extend([fault] * times)

    @property
    def pending_faults(self) -> tuple[Fault, ...]:
        with self._lock:
            return tuple(self._faults)

    def set_clock_offset(self, seconds: float) -> None:
        """Skew the fake's notion of now (JWT checks, ``Date`` header) by ``seconds``."""
        with self._lock:
            self._clock_offset = float(seconds)

    def now(self) -> float:
        with self._lock:
            return self._clock() + self._clock_offset

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        with self._lock:
            return tuple(self._requests)

    # -- adapters --------------------------------------------------------------------

    def transport(self) -> FakeTransport:
        """For ``httpx.Client(transport=fake.transport(), base_url=...)``."""
        return FakeTransport(self)

    def async_transport(self) -> FakeAsyncTransport:
        return FakeAsyncTransport(self)

    def client(self, key: ThrowawayKey | None = None, **options: Any) -> AppStoreConnect:
        """An ``AppStoreConnect`` client talking to this fake in-process.

        It signs with ``key``, or with a new throwaway key registered here, and follows the
        fake's clock and sleep (so a ``ManualClock`` drives its retries too). ``options``
        go to ``AppStoreConnect`` (``max_retries``, ``scope``, ...). Close it, or use it in
        a ``with`` block.
        """
        key = key or self.add_throwaway_key()
        settings: dict[str, Any] = {"now": self._clock, "sleep": self.sleep, **options}
        return AppStoreConnect(key.api_key(), transport=self.transport(), **settings)

    def async_client(self, key: ThrowawayKey | None = None, **options: Any) -> AsyncAppStoreConnect:
        """The asyncio twin of ``client``: use it in an ``async with`` block."""
        key = key or self.add_throwaway_key()
        settings: dict[str, Any] = {"now": self._clock, "sleep": self.async_sleep, **options}
        return AsyncAppStoreConnect(key.api_key(), transport=self.async_transport(), **settings)

    @contextlib.contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Serve over HTTP on 127.0.0.1 in a background thread; yields the base URL."""
        from ._server import running_server

        with running_server(self, port) as base_url:
            yield base_url

    # -- the core --------------------------------------------------------------------

    def handle(
        self,
        *,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        base_url: str,
    ) -> Outcome:
        """Answer one request; ``target`` is the raw path with its query string."""
        path, _, query = target.partition("?")
        request_headers = RequestHeaders(list(headers))
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            now = self.now()
            if isinstance(fault, DropConnection) and fault.kind == "connect":
                self._record(method, path, query, request_headers, body, fault, None, None)
                return Outcome(None, drop="connect")
            status, payload, extra, rejection = self._respond(
                method, path, query, request_headers, body, fault, base_url, now
            )
            if isinstance(fault, DropConnection):
                self._record(method, path, query, request_headers, body, fault, None, rejection)
                return Outcome(None, drop=fault.kind)
            response = self._finish(status, payload, extra, fault, now)
            self._record(method, path, query, request_headers, body, fault, status, rejection)
        delay = fault.seconds if isinstance(fault, Delay) else 0.0
        return Outcome(response, delay=delay)

    def _respond(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        fault: Fault | None,
        base_url: str,
        now: float,
    ) -> tuple[int, Any, dict[str, str], str | None]:
        if not self._take_rate_budget(now) or isinstance(fault, RateLimited):
            retry_after = fault.retry_after if isinstance(fault, RateLimited) else 60
            return (
                429,
                apple.error_body([apple.rate_limited()]),
                {"Retry-After": str(retry_after)},
                None,
            )
        if isinstance(fault, ServerErrorFault):
            if fault.status == 500:
                return 500, apple.error_body([apple.unexpected_error()]), {}, None
            return fault.status, _html_page(fault.status), {}, None
        rejection = check_token(
            headers.get("authorization"),
            keys=self._keys,
            now=now,
            leeway=self._leeway,
            method=method,
            path=path,
        )
        if rejection is not None:
            error = apple.not_authorized() if rejection.status == 401 else apple.forbidden()
            return rejection.status, apple.error_body([error]), {}, rejection.reason
        if method == "GET":
            store = Store(self._apps, self._builds, self._declarations)
            answer = answer_read(path, query, store, base_url)
            if answer is not None:
                return answer.status, answer.body, {}, None
        match = _BUILD_PATH.fullmatch(path)
        if match is None:
            return 404, apple.error_body([apple.path_not_found(path)]), {}, None
        if method != "PATCH":
            return 405, apple.error_body([apple.method_not_allowed(method)]), {}, None
        result = update_build(
            path_id=unquote(match["id"]),
            body=body,
            builds=self._builds,
            declarations=self._declarations,
        )
        if result.build is None:
            return result.errors[0].status, apple.error_body(list(result.errors)), {}, None
        self._builds[result.build.id] = result.build
        return 200, build_document(result.build, base_url), {}, None

    def _take_rate_budget(self, now: float) -> bool:
        return self._budget.take(now)

    def _finish(
        self, status: int, payload: Any, extra: dict[str, str], fault: Fault | None, now: float
    ) -> FakeResponse:
        content_type = "application/json"
        if isinstance(payload, str):
            content_type = "text/html; charset=utf-8"
            data = payload.encode("utf-8")
        else:
            data = json.dumps(payload).encode("utf-8")
        if isinstance(fault, MalformedBody):
            if fault.kind == "not_json":
                status, content_type = 200, "text/html; charset=utf-8"
                data = b"<html><body>Service temporarily unavailable</body></html>"
            else:
                data = data[: len(data) // 2]
        headers = {
            "Content-Type": content_type,
            "Date": email.utils.formatdate(now, usegmt=True),
            "X-Rate-Limit": (
                f"user-hour-lim:{self._budget.limit};user-hour-rem:{self._budget.remaining(now)};"
            ),
            REQUEST_ID_HEADER: str(uuid.uuid4()),
            **extra,
        }
        return FakeResponse(status, tuple(headers.items()), data)

    def _record(
        self,
        method: str,
        path: str,
        query: str,
        headers: RequestHeaders,
        body: bytes,
        fault: Fault | None,
        status: int | None,
        rejection: str | None,
    ) -> None:
        try:
            parsed = parse_json_body(body) if body else None
        except ValueError:
            parsed = None
        self._requests.append(
            RecordedRequest(method, path, query, headers, body, parsed, fault, status, rejection)
        )


def _html_page(status: int) -> str:
    title = f"{status} {_HTML_PAGES[status]}"
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
