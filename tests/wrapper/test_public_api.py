"""The public names: complete, sorted, and each one importable."""

from __future__ import annotations

import types

import asc_builds


def _isort_key(name: str) -> tuple[int, str]:
    # Ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


def test_all_is_sorted() -> None:
    assert asc_builds.__all__ == sorted(asc_builds.__all__, key=_isort_key)


def test_all_is_complete() -> None:
    # Names load on first use (start-up of the command line): each one resolves.
    for name in asc_builds.__all__:
        getattr(asc_builds, name)
    public = {
        name
        for name, value in vars(asc_builds).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(asc_builds.__all__)


def test_the_readme_shape_works_sync(p256_pem: str) -> None:
    from asc_builds import APIKey, AppStoreConnect, Builds

    key = APIKey.from_env(
        {"ASC_KEY_ID": "K", "ASC_KEY_KIND": "individual", "ASC_PRIVATE_KEY": p256_pem}
    )
    assert (key.key_id, key.is_individual) == ("K", True)
    with AppStoreConnect(key) as asc:
        assert isinstance(asc.builds, Builds)
        assert not asc._http.is_closed
    assert asc._http.is_closed


async def test_the_readme_shape_works_async(p256_pem: str) -> None:
    from asc_builds import APIKey, AsyncAppStoreConnect, AsyncBuilds

    key = APIKey(key_id="K", issuer_id=None, private_key=p256_pem)
    async with AsyncAppStoreConnect(key) as asc:
        assert isinstance(asc.builds, AsyncBuilds)
        assert not asc._http.is_closed
    assert asc._http.is_closed


def test_version_is_the_installed_distributions() -> None:
    from importlib import metadata

    assert asc_builds.__version__ == metadata.version("asc-builds")
    assert asc_builds.USER_AGENT.startswith(f"asc-builds/{asc_builds.__version__} ")
