"""The ES256 token: header, claims, lifetime, caching, refresh, one signature under concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
from asc_builds import ApiKey, InvalidInputError
from asc_builds._auth import TokenSigner
from cryptography.hazmat.primitives.asymmetric import ec

from ._support import FakeClock, decode_token
from .conftest import ISSUER_ID, KEY_ID


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every claim set signed, in order: counts signatures without changing them."""
    signed: list[dict[str, Any]] = []
    lock = threading.Lock()
    real_encode: Callable[..., str] = jwt.encode

    def counting_encode(payload: dict[str, Any], *args: Any, **kwargs: Any) -> str:
        with lock:
            signed.append(dict(payload))
        return real_encode(payload, *args, **kwargs)

    monkeypatch.setattr("asc_builds._auth.jwt.encode", counting_encode)
    yield signed


def test_team_key_header_and_claims(
    api_key: ApiKey, public_key: ec.EllipticCurvePublicKey, clock: FakeClock
) -> None:
    header, claims = decode_token(TokenSigner(api_key, now=clock).token(), public_key)
    assert header == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    now = int(clock())
    assert claims == {
        "iss": ISSUER_ID,
        "iat": now - 60,
        "exp": now - 60 + 600,
        "aud": "appstoreconnect-v1",
    }


def test_individual_key_sends_sub_user_and_no_iss(
    p256_pem: str, public_key: ec.EllipticCurvePublicKey, clock: FakeClock
) -> None:
    key = ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_pem)
    header, claims = decode_token(TokenSigner(key, now=clock).token(), public_key)
    assert header["kid"] == KEY_ID
    assert claims["sub"] == "user"
    assert "iss" not in claims
    assert claims["aud"] == "appstoreconnect-v1"


def test_scope_claim(api_key: ApiKey, public_key: ec.EllipticCurvePublicKey) -> None:
    scope = ["PATCH /v1/builds/932eff64-a144-4350-8d10-9e54d5834aee"]
    _, claims = decode_token(TokenSigner(api_key, scope=scope).token(), public_key)
    assert claims["scope"] == scope


@pytest.mark.parametrize("scope", [["patch /v1/builds/1"], ["PATCH v1/builds"], ["PATCH"]])
def test_malformed_scope_is_refused(api_key: ApiKey, scope: list[str]) -> None:
    with pytest.raises(ValueError, match="scope entries"):
        TokenSigner(api_key, scope=scope)


def test_scope_as_a_bare_string_is_refused(api_key: ApiKey) -> None:
    with pytest.raises(InvalidInputError, match="list"):
        TokenSigner(api_key, scope="PATCH /v1/builds/1")


def test_enterprise_audience(p256_pem: str, public_key: ec.EllipticCurvePublicKey) -> None:
    key = ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=p256_pem, enterprise=True)
    _, claims = decode_token(
        TokenSigner(key).token(), public_key, audience="apple-developer-enterprise-v1"
    )
    assert claims["aud"] == "apple-developer-enterprise-v1"


@pytest.mark.parametrize("lifetime", [60 * 15, 60 * 20])
def test_exp_minus_iat_is_the_configured_lifetime_up_to_twenty_minutes(
    p256_pem: str, public_key: ec.EllipticCurvePublicKey, lifetime: int
) -> None:
    key = ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=p256_pem, token_lifetime=lifetime)
    _, claims = decode_token(TokenSigner(key).token(), public_key)
    assert claims["exp"] - claims["iat"] == lifetime <= 20 * 60


def test_lifetime_too_short_for_backdate_and_margin(p256_pem: str) -> None:
    key = ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_pem, token_lifetime=100)
    with pytest.raises(ValueError, match="no validity"):
        TokenSigner(key)


def test_cached_then_refreshed_ahead_of_expiry(
    api_key: ApiKey,
    clock: FakeClock,
    public_key: ec.EllipticCurvePublicKey,
    signatures: list[dict[str, Any]],
) -> None:
    signer = TokenSigner(api_key, now=clock)
    first = signer.token()
    _, claims = decode_token(first, public_key)
    # Refresh is due 60 s before exp: up to then the cached token is reused.
    clock.value = claims["exp"] - 61
    assert signer.token() == first
    clock.value = claims["exp"] - 60
    second = signer.token()
    assert second != first
    _, renewed = decode_token(second, public_key)
    assert renewed["exp"] > claims["exp"]
    assert len(signatures) == 2


def test_one_signature_across_many_calls(
    api_key: ApiKey, clock: FakeClock, signatures: list[dict[str, Any]]
) -> None:
    signer = TokenSigner(api_key, now=clock)
    tokens = set()
    for _ in range(200):
        tokens.add(signer.token())
        clock.advance(2)  # 400 s in all, inside one token's 480 s of use
    assert len(tokens) == 1
    assert len(signatures) == 1


def test_invalidate_forces_a_new_signature_but_keeps_a_newer_token(
    api_key: ApiKey, clock: FakeClock, signatures: list[dict[str, Any]]
) -> None:
    signer = TokenSigner(api_key, now=clock)
    first = signer.token()
    signer.invalidate(first)
    clock.advance(1)
    second = signer.token()
    assert second != first
    # A late 401 for the old token must not throw away the fresh one.
    signer.invalidate(first)
    assert signer.token() == second
    assert len(signatures) == 2


def test_concurrent_first_use_from_threads_signs_once(
    api_key: ApiKey, signatures: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signing is made slow (and it releases the GIL while it sleeps), so every thread reaches
    # the cache check while the first signature is still being made: without the signer's
    # lock each of them signs, and the counts below fail.
    counting_encode = jwt.encode
    all_waiting = threading.Event()

    def slow_encode(*args: Any, **kwargs: Any) -> str:
        all_waiting.wait(timeout=0.5)
        return counting_encode(*args, **kwargs)

    monkeypatch.setattr("asc_builds._auth.jwt.encode", slow_encode)
    signer = TokenSigner(api_key)
    workers = 16
    barrier = threading.Barrier(workers, timeout=10)

    def first_use(_: int) -> str:
        barrier.wait()
        return signer.token()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(first_use, n) for n in range(workers)]
        time.sleep(0.05)
        all_waiting.set()
        tokens = {future.result(timeout=10) for future in futures}
    assert len(signatures) == 1
    assert len(tokens) == 1


def test_signer_repr_holds_no_secret(api_key: ApiKey) -> None:
    signer = TokenSigner(api_key)
    token = signer.token()
    assert token not in repr(signer)
    assert KEY_ID in repr(signer)
