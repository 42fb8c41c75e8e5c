"""The pytest fixtures, under the name earlier versions registered.

Installing asc-builds registers the top-level module ``_asc_builds_pytest_plugin`` instead,
which imports nothing of the SDK until a fixture is used; this module re-exports its
fixtures for projects that name ``asc_builds.testing.pytest_plugin`` in ``pytest_plugins``.
"""

from __future__ import annotations

from _asc_builds_pytest_plugin import app_store_connect_client, fake_app_store_connect

__all__ = ["app_store_connect_client", "fake_app_store_connect"]
