"""Converging: a PATCH whose values already hold says "already" instead of failing."""

from __future__ import annotations

import pytest
from asc_builds import AppStoreConnect, AsyncAppStoreConnect, ConflictError
from asc_builds.testing import Delay, FakeAppStoreConnect, ServerErrorFault

from .conftest import APP_ID


def _methods(fake: FakeAppStoreConnect) -> list[tuple[str, int | None]]:
    return [(request.method, request.status) for request in fake.requests]


def test_expiring_an_expired_build_succeeds_and_says_nothing_changed(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    build = fake.add_build(app_id=APP_ID, expired=True)
    result = asc.builds.apply(build.id, expired=True)
    assert (result.changed, result.status, result.build_id) == (False, "already", build.id)
    assert result.build.id == build.id
    # The 409, then the re-read that showed the value already held.
    assert _methods(fake) == [("PATCH", 409), ("GET", 200)]
    assert asc.builds.expire(build.id).id == build.id


def test_a_change_that_happens_says_changed(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    build = fake.add_build(app_id=APP_ID)
    result = asc.builds.apply(build.id, expired=True)
    assert (result.changed, result.status) == (True, "changed")
    assert _methods(fake) == [("PATCH", 200)]
    assert fake.build(build.id).expired


def test_every_requested_value_must_hold(fake: FakeAppStoreConnect, asc: AppStoreConnect) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(
        app_id=APP_ID,
        expired=True,
        uses_non_exempt_encryption=False,
        encryption_declaration_id=declaration.id,
    )
    result = asc.builds.apply(
        build.id,
        expired=True,
        uses_non_exempt_encryption=False,
        encryption_declaration_id=declaration.id,
        check_declaration=False,
    )
    assert result.status == "already"


def test_another_409_stays_an_error_with_apples_entries(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    build = fake.add_build(app_id=APP_ID, expired=True, uses_non_exempt_encryption=True)
    with pytest.raises(ConflictError) as caught:
        asc.builds.set_uses_non_exempt_encryption(build.id, False)
    error = caught.value
    assert [entry.code for entry in error.errors] == ["ENTITY_ERROR.ATTRIBUTE.INVALID"]
    assert "usesNonExemptEncryption is True, not False" in " ".join(error.__notes__)
    assert fake.build(build.id).uses_non_exempt_encryption is True


def test_a_failed_re_read_leaves_the_409(fake: FakeAppStoreConnect, asc: AppStoreConnect) -> None:
    build = fake.add_build(app_id=APP_ID, expired=True)
    # The PATCH is answered as usual (409); the re-read meets a 500.
    fake.inject(Delay(0))
    fake.inject(ServerErrorFault(500))
    with pytest.raises(ConflictError) as caught:
        asc.builds.apply(build.id, expired=True, max_retries=0)
    assert "re-reading" in " ".join(caught.value.__notes__)
    assert _methods(fake) == [("PATCH", 409), ("GET", 500)]


def test_batch_outcomes_say_changed_already_failed(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    fresh = fake.add_build(app_id=APP_ID)
    old = fake.add_build(app_id=APP_ID, expired=True)
    missing = "00000000-0000-0000-0000-000000000000"
    outcomes = asc.builds.expire_many([fresh.id, old.id, missing], concurrency=2)
    assert [outcome.status for outcome in outcomes] == ["changed", "already", "failed"]
    assert [outcome.ok for outcome in outcomes] == [True, True, False]
    assert outcomes[1].unwrap().id == old.id
    # Run again: nothing changes and nothing fails but the missing build.
    again = asc.builds.expire_many([fresh.id, old.id], concurrency=2)
    assert [outcome.status for outcome in again] == ["already", "already"]


async def test_async_converges_the_same_way(
    fake: FakeAppStoreConnect, async_asc: AsyncAppStoreConnect
) -> None:
    build = fake.add_build(app_id=APP_ID, expired=True)
    result = await async_asc.builds.apply(build.id, expired=True)
    assert result.status == "already"
    outcomes = await async_asc.builds.expire_many([build.id])
    assert [outcome.status for outcome in outcomes] == ["already"]
    other = fake.add_build(app_id=APP_ID, expired=True, uses_non_exempt_encryption=True)
    with pytest.raises(ConflictError):
        await async_asc.builds.set_uses_non_exempt_encryption(other.id, False)


def test_a_build_read_just_now_that_holds_the_values_gets_no_patch(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(
        app_id=APP_ID, uses_non_exempt_encryption=True, encryption_declaration_id=declaration.id
    )
    # The declaration check reads the build: it already holds both values.
    result = asc.builds.apply(
        build.id, uses_non_exempt_encryption=True, encryption_declaration_id=declaration.id
    )
    assert result.status == "already"
    current = asc.builds.get(build.id)
    assert asc.builds.apply(build.id, uses_non_exempt_encryption=True, current=current).status == (
        "already"
    )
    assert not any(request.method == "PATCH" for request in fake.requests)
    # A value not held is sent.
    assert asc.builds.apply(build.id, uses_non_exempt_encryption=False, current=current).changed
