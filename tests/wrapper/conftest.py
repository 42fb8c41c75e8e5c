"""Fixtures for the wrapper tests: generated keys (never real ones) and clients on a mock server."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asc_builds import ApiKey, AppStoreConnect
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ._support import FakeClock, RecordedSleeps, ScriptedServer

KEY_ID = "2X9R4HXF34"
ISSUER_ID = "57246542-96fe-1a63-e053-0824d011072a"


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, password: bytes | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode("ascii")


@pytest.fixture(scope="session")
def p256_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def p256_pem(p256_key: ec.EllipticCurvePrivateKey) -> str:
    return _pem(p256_key)


@pytest.fixture(scope="session")
def p256_b64(p256_pem: str) -> str:
    return base64.b64encode(p256_pem.encode("ascii")).decode("ascii")


@pytest.fixture(scope="session")
def public_key(p256_key: ec.EllipticCurvePrivateKey) -> ec.EllipticCurvePublicKey:
    return p256_key.public_key()


@pytest.fixture(scope="session")
def rsa_pem() -> str:
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def p384_pem() -> str:
    return _pem(ec.generate_private_key(ec.SECP384R1()))


@pytest.fixture(scope="session")
def encrypted_pem(p256_key: ec.EllipticCurvePrivateKey) -> str:
    return _pem(p256_key, password=b"correct horse battery staple")


@pytest.fixture
def p8_file(tmp_path: Path, p256_pem: str) -> Path:
    path = tmp_path / f"AuthKey_{KEY_ID}.p8"
    path.write_text(p256_pem, encoding="ascii")
    return path


@pytest.fixture
def api_key(p256_pem: str) -> ApiKey:
    return ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=p256_pem)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def build_ok(example_response: dict[str, Any]) -> Callable[..., httpx.Response]:
    """A 200 carrying Apple's example response, with optional extra headers."""

    def make(headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.Response(200, json=example_response, headers=headers)

    return make


@pytest.fixture
def make_client(
    api_key: ApiKey, clock: FakeClock, sleeps: RecordedSleeps
) -> Iterator[Callable[..., AppStoreConnect]]:
    """A sync client on a scripted server, with the fake clock and recorded sleeps."""
    clients: list[AppStoreConnect] = []

    def make(server: ScriptedServer, **options: Any) -> AppStoreConnect:
        key = options.pop("key", api_key)
        settings: dict[str, Any] = {
            "transport": server.transport(),
            "now": clock,
            "sleep": sleeps,
            "random": lambda: 0.0,
        }
        settings.update(options)
        client = AppStoreConnect(key, **settings)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
