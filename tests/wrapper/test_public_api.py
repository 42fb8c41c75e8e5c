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
    public = {
        name
        for name, value in vars(asc_builds).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(asc_builds.__all__)


def test_the_users_shape_is_importable() -> None:
    from asc_builds import ApiKey, AppStoreConnect, AsyncAppStoreConnect

    assert callable(ApiKey.from_env)
    with AppStoreConnect(_key()) as asc:
        assert {"expire", "update", "expire_many"} <= set(dir(asc.builds))
    assert AsyncAppStoreConnect.__aenter__ is not None


def _key() -> asc_builds.ApiKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    return asc_builds.ApiKey(
        key_id="K", issuer_id=None, private_key=ec.generate_private_key(ec.SECP256R1())
    )
