"""Fixtures for the fake App Store Connect's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from asc_builds.testing import (
    API_BASE_URL,
    FakeAppStoreConnect,
    FakeBuild,
    ManualClock,
    ThrowawayKey,
)
from asc_builds.testing.pytest_plugin import app_store_connect_client, fake_app_store_connect

from ._support import APP_ID, BUILD_ID, DECLARATION_ID, Signer, bearer, update_body

__all__ = ["app_store_connect_client", "fake_app_store_connect"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeAppStoreConnect:
    service = FakeAppStoreConnect(clock=clock.now, sleep=clock.sleep, async_sleep=clock.async_sleep)
    service.add_encryption_declaration(DECLARATION_ID, app_id=APP_ID)
    return service


@pytest.fixture
def build(fake: FakeAppStoreConnect) -> FakeBuild:
    return fake.add_build(BUILD_ID, app_id=APP_ID, version="153")


@pytest.fixture
def team_key(fake: FakeAppStoreConnect) -> ThrowawayKey:
    return fake.add_throwaway_key()


@pytest.fixture
def sign(clock: ManualClock, team_key: ThrowawayKey) -> Signer:
    """Signs a token with PyJWT directly, so these tests do not depend on the SDK's auth."""

    def signer(
        key: ThrowawayKey | None = None,
        *,
        claims: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        headers: dict[str, Any] | None = None,
        lifetime: int = 600,
        issued_offset: float = 0,
    ) -> str:
        key = key or team_key
        issued = int(clock.now() + issued_offset)
        payload: dict[str, Any] = {
            "iat": issued,
            "exp": issued + lifetime,
            "aud": "appstoreconnect-v1",
        }
        if key.issuer_id is None:
            payload["sub"] = "user"
        else:
            payload["iss"] = key.issuer_id
        payload.update(claims or {})
        for name in drop:
            payload.pop(name, None)
        header = {"kid": key.key_id, "typ": "JWT", **(headers or {})}
        return jwt.encode(payload, key.private_key_pem, algorithm="ES256", headers=header)

    return signer


@pytest.fixture
def client(fake: FakeAppStoreConnect, sign: Signer) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=fake.transport(), base_url=API_BASE_URL, headers=bearer(sign())
    ) as http:
        yield http


@pytest.fixture
async def async_client(fake: FakeAppStoreConnect, sign: Signer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=fake.async_transport(), base_url=API_BASE_URL, headers=bearer(sign())
    ) as http:
        yield http


@pytest.fixture
def server_client(fake: FakeAppStoreConnect, sign: Signer) -> Iterator[httpx.Client]:
    with (
        fake.serve() as base_url,
        httpx.Client(base_url=base_url, headers=bearer(sign()), timeout=10) as http,
    ):
        yield http


@pytest.fixture
def body_for() -> Callable[..., dict[str, Any]]:
    return update_body
