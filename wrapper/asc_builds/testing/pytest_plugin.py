"""The pytest fixtures, under the name earlier versions registered.

Installing asc-builds registers the top-level module ``_asc_builds_pytest_plugin``, which
imports nothing of the SDK until a fixture is used. This module defines the same two
fixtures for projects that name ``asc_builds.testing.pytest_plugin`` in
``pytest_plugins`` or import them into a conftest; importing it loads the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .._client import AppStoreConnect
from ._fake import FakeAppStoreConnect

__all__ = ["app_store_connect_client", "fake_app_store_connect"]


@pytest.fixture
def fake_app_store_connect() -> FakeAppStoreConnect:
    """A fresh, empty fake per test; seed it with ``add_build``/``add_throwaway_key``."""
    return FakeAppStoreConnect()


@pytest.fixture
def app_store_connect_client(
    fake_app_store_connect: FakeAppStoreConnect,
) -> Iterator[AppStoreConnect]:
    """An ``AppStoreConnect`` client bound to ``fake_app_store_connect``, signing with a
    throwaway key the fake trusts; closed after the test."""
    with fake_app_store_connect.client() as client:
        yield client
