"""asc-builds' pytest plugin: the fixtures ``fake_app_store_connect`` and
``app_store_connect_client``.

Installing asc-builds registers this module through the ``pytest11`` entry point, so pytest
imports it at the start of every session of every project in that environment. It is a
top-level module on purpose: importing anything under ``asc_builds`` would load httpx,
PyJWT, cryptography and the fake's schema, used or not. Here nothing but pytest is imported
until a test asks for one of the fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from asc_builds import AppStoreConnect
    from asc_builds.testing import FakeAppStoreConnect

__all__ = ["app_store_connect_client", "fake_app_store_connect"]


@pytest.fixture
def fake_app_store_connect() -> FakeAppStoreConnect:
    """A fresh, empty fake per test; seed it with ``add_build``/``add_throwaway_key``."""
    from asc_builds.testing import FakeAppStoreConnect

    return FakeAppStoreConnect()


@pytest.fixture
def app_store_connect_client(
    fake_app_store_connect: FakeAppStoreConnect,
) -> Iterator[AppStoreConnect]:
    """An ``AppStoreConnect`` client bound to ``fake_app_store_connect``, signing with a
    throwaway key the fake trusts; closed after the test."""
    with fake_app_store_connect.client() as client:
        yield client
