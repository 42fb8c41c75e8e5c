"""Fixtures for the jobs: a fake App Store Connect on a manual clock, an app, clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from asc_builds import AppStoreConnect, AsyncAppStoreConnect
from asc_builds.testing import FakeAppStoreConnect, ManualClock

APP_ID = "6443000001"
BUNDLE_ID = "com.example.app"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeAppStoreConnect:
    service = FakeAppStoreConnect(clock=clock.now, sleep=clock.sleep, async_sleep=clock.async_sleep)
    service.add_app(APP_ID, bundle_id=BUNDLE_ID)
    return service


@pytest.fixture
def asc(fake: FakeAppStoreConnect) -> Iterator[AppStoreConnect]:
    with fake.client(random=lambda: 0.5) as client:
        yield client


@pytest.fixture
async def async_asc(fake: FakeAppStoreConnect) -> AsyncIterator[AsyncAppStoreConnect]:
    async with fake.async_client(random=lambda: 0.5) as client:
        yield client
