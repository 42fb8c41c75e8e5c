"""Signing App Store Connect tokens (ES256 JWT), caching them, and attaching them to requests.

One signature per token lifetime: the token is cached and re-signed `refresh_margin` seconds
before it expires, or at once after a 401. `iat` is backdated so a server clock slightly
behind ours still accepts the token; `exp - iat` is the key's `token_lifetime`, which
`APIKey` caps at Apple's 20 minutes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Sequence

import httpx
import jwt

from ._exceptions import InvalidInputError
from ._keys import APIKey

__all__ = [
    "APP_STORE_CONNECT_AUDIENCE",
    "DEFAULT_IAT_BACKDATE",
    "DEFAULT_REFRESH_MARGIN",
    "ENTERPRISE_AUDIENCE",
    "AppStoreConnectAuth",
    "TokenSigner",
]

APP_STORE_CONNECT_AUDIENCE = "appstoreconnect-v1"
ENTERPRISE_AUDIENCE = "apple-developer-enterprise-v1"
# fastlane and the `asc` CLI both backdate by 60 s: clock skew is the top cause of 401s.
DEFAULT_IAT_BACKDATE = 60
DEFAULT_REFRESH_MARGIN = 60


class TokenSigner:
    """Issues the bearer token for one key, re-signing only when needed.

    Thread-safe. It is also task-safe without an asyncio lock: signing never awaits, so no
    other task can run between the cache check and the cache update.
    """

    def __init__(
        self,
        key: APIKey,
        *,
        scope: Sequence[str] | None = None,
        now: Callable[[], float] = time.time,
        iat_backdate: int = DEFAULT_IAT_BACKDATE,
        refresh_margin: int = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        if scope is not None:
            if isinstance(scope, str):
                raise InvalidInputError(
                    'scope must be a list of "METHOD /path" strings, not a string'
                )
            for entry in scope:
                method, _, path = entry.partition(" ")
                if not method.isupper() or not path.startswith("/"):
                    raise InvalidInputError(
                        f'scope entries look like "PATCH /v1/builds/ID"; got {entry!r}'
                    )
        if iat_backdate < 0 or refresh_margin < 0:
            raise InvalidInputError("iat_backdate and refresh_margin must not be negative")
        # `token_lifetime` is `exp - iat` as Apple counts it, backdating included, so the
        # key's own check against the 20-minute cap holds for every token signed here.
        if iat_backdate + refresh_margin >= key.token_lifetime:
            raise InvalidInputError(
                f"token lifetime {key.token_lifetime} s leaves no validity after the "
                f"{iat_backdate} s iat backdate and {refresh_margin} s refresh margin"
            )
        self._key = key
        self._scope = list(scope) if scope is not None else None
        self._now = now
        self._iat_backdate = iat_backdate
        self._refresh_margin = refresh_margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    @property
    def audience(self) -> str:
        return ENTERPRISE_AUDIENCE if self._key.enterprise else APP_STORE_CONNECT_AUDIENCE

    def __repr__(self) -> str:
        return f"TokenSigner(key={self._key!r})"

    def token(self) -> str:
        """The current token, signing a new one if none is cached or it expires soon."""
        with self._lock:
            now = self._now()
            if self._token is None or now >= self._expires_at - self._refresh_margin:
                self._token, self._expires_at = self._sign(now)
            return self._token

    def invalidate(self, token: str) -> None:
        """Drop `token` after the server refused it; a newer token is kept."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _sign(self, now: float) -> tuple[str, float]:
        issued_at = int(now) - self._iat_backdate
        expires_at = issued_at + self._key.token_lifetime
        claims: dict[str, object] = {
            "iat": issued_at,
            "exp": expires_at,
            "aud": self.audience,
        }
        if self._key.issuer_id is None:
            claims["sub"] = "user"
        else:
            claims["iss"] = self._key.issuer_id
        if self._scope is not None:
            claims["scope"] = self._scope
        token = jwt.encode(
            claims,
            self._key.private_key,
            algorithm="ES256",
            headers={"kid": self._key.key_id, "typ": "JWT"},
        )
        return token, float(expires_at)


class AppStoreConnectAuth(httpx.Auth):
    """Adds the bearer token; on a 401, re-signs once and replays the request once.

    The flow does no I/O of its own, so httpx runs the same generator for sync and async.
    """

    def __init__(self, signer: TokenSigner) -> None:
        self._signer = signer

    def __repr__(self) -> str:
        return f"AppStoreConnectAuth(signer={self._signer!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._signer.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        self._signer.invalidate(token)
        request.headers["Authorization"] = f"Bearer {self._signer.token()}"
        yield request
