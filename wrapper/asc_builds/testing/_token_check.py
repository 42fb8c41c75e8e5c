"""Checks a bearer token the way App Store Connect documents it.

Scope decision: a token with a ``scope`` claim is accepted for ``PATCH /v1/builds/ID``
only when the list holds exactly ``"PATCH /v1/builds/ID"`` (Apple's documented form)
or ``"PATCH /builds/ID"`` (the form an Apple forum thread reports the live service
wants). No wildcards, no query strings. A token without ``scope`` is unrestricted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "AUDIENCE",
    "MAX_LIFETIME_SECONDS",
    "RegisteredKey",
    "TokenRejection",
    "check_token",
    "load_public_key",
]

AUDIENCE = "appstoreconnect-v1"
MAX_LIFETIME_SECONDS = 20 * 60

PublicKeyInput = str | bytes | ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey


@attrs.frozen
class RegisteredKey:
    """A public key the fake trusts; ``issuer_id`` is ``None`` for individual keys."""

    key_id: str
    public_key: ec.EllipticCurvePublicKey = attrs.field(repr=False)
    issuer_id: str | None


@attrs.frozen
class TokenRejection:
    """Why a token was refused; ``reason`` is for tests and never holds the token."""

    status: Literal[401, 403]
    reason: str


def load_public_key(value: PublicKeyInput) -> ec.EllipticCurvePublicKey:
    """Accepts a PEM public key, a private key object (its public half) or a public key."""
    if isinstance(value, ec.EllipticCurvePrivateKey):
        value = value.public_key()
    if isinstance(value, str | bytes):
        raw = value.encode("ascii") if isinstance(value, str) else value
        try:
            loaded = serialization.load_pem_public_key(raw)
        except ValueError:
            raise ValueError("public_key is not a PEM encoded public key") from None
        if not isinstance(loaded, ec.EllipticCurvePublicKey):
            raise TypeError("public_key must be an elliptic-curve (P-256) key")
        value = loaded
    if not isinstance(value, ec.EllipticCurvePublicKey):
        raise TypeError("public_key must be a PEM string/bytes or a cryptography EC key")
    if not isinstance(value.curve, ec.SECP256R1):
        raise ValueError("App Store Connect keys are P-256 (ES256) keys")
    return value


def _unauthorized(reason: str) -> TokenRejection:
    return TokenRejection(401, reason)


def _bearer(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_token(
    authorization: str | None,
    *,
    keys: Mapping[str, RegisteredKey],
    now: float,
    leeway: float,
    method: str,
    path: str,
) -> TokenRejection | None:
    """``None`` when the token authorizes ``method path``, else why not."""
    token = _bearer(authorization)
    if token is None:
        return _unauthorized("missing bearer token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return _unauthorized("malformed token")
    if header.get("alg") != "ES256":
        return _unauthorized("alg is not ES256")
    if header.get("typ") != "JWT":
        return _unauthorized("typ is not JWT")
    key = keys.get(str(header.get("kid")))
    if key is None:
        return _unauthorized("unknown kid")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=["ES256"],
            # Time and audience are checked below against the fake's own clock.
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_sub": False,
            },
        )
    except jwt.InvalidSignatureError:
        return _unauthorized("bad signature")
    except jwt.PyJWTError:
        return _unauthorized("malformed token")
    return _check_claims(claims, key, now=now, leeway=leeway, method=method, path=path)


def _check_claims(
    claims: Mapping[str, Any],
    key: RegisteredKey,
    *,
    now: float,
    leeway: float,
    method: str,
    path: str,
) -> TokenRejection | None:
    audience = claims.get("aud")
    if audience != AUDIENCE and not (isinstance(audience, list) and AUDIENCE in audience):
        return _unauthorized("wrong audience")
    issued, expires = claims.get("iat"), claims.get("exp")
    if not _is_number(issued) or not _is_number(expires):
        return _unauthorized("iat and exp are required numbers")
    assert isinstance(issued, int | float) and isinstance(expires, int | float)
    if expires - issued > MAX_LIFETIME_SECONDS:
        return _unauthorized("lifetime exp - iat exceeds 20 minutes")
    not_before = claims.get("nbf", issued)
    if not _is_number(not_before):
        return _unauthorized("nbf is not a number")
    if issued > now + leeway or not_before > now + leeway:
        return _unauthorized("token is not yet valid")
    if expires <= now - leeway:
        return _unauthorized("token has expired")
    if key.issuer_id is None:
        if claims.get("sub") != "user" or "iss" in claims:
            return _unauthorized('individual keys need sub "user" and no iss')
    elif claims.get("iss") != key.issuer_id:
        return _unauthorized("iss does not match the key's issuer")
    if "scope" in claims:
        return _check_scope(claims["scope"], method=method, path=path)
    return None


def _check_scope(scope: object, *, method: str, path: str) -> TokenRejection | None:
    if not isinstance(scope, list) or not all(isinstance(item, str) for item in scope):
        return _unauthorized("scope must be a list of strings")
    unversioned = path.removeprefix("/v1")
    allowed = {f"{method} {path}", f"{method} {unversioned}"}
    if allowed.isdisjoint(scope):
        return TokenRejection(403, f"scope does not include {method} {path}")
    return None
