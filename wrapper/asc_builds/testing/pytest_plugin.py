"""pytest plugin: the ``fake_app_store_connect`` fixture.

Registered through the ``pytest11`` entry point, so installing ``asc-builds`` makes the
fixture available; ``asc_builds.testing`` itself never imports pytest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import FakeAppStoreConnect

__all__ = ["fake_app_store_connect"]


@pytest.fixture
def fake_app_store_connect() -> Iterator[FakeAppStoreConnect]:
    """A fresh, empty fake per test; seed it with ``add_build``/``add_throwaway_key``."""
    yield FakeAppStoreConnect()
