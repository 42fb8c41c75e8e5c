"""A declaration is read before it is assigned: refused, with nothing sent, when unusable."""

from __future__ import annotations

import pytest
from asc_builds import AppStoreConnect, AsyncAppStoreConnect, ConflictError
from asc_builds.jobs import DeclarationRefusedError
from asc_builds.testing import FakeAppStoreConnect

from .conftest import APP_ID


def _patches(fake: FakeAppStoreConnect) -> int:
    return sum(1 for request in fake.requests if request.method == "PATCH")


def test_an_approved_declaration_of_the_builds_app_is_assigned(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(app_id=APP_ID)
    asc.builds.assign_encryption_declaration(build.id, declaration.id)
    assert fake.build(build.id).encryption_declaration_id == declaration.id


def test_a_declaration_that_does_not_exist_is_refused(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    build = fake.add_build(app_id=APP_ID)
    missing = "11111111-1111-1111-1111-111111111111"
    with pytest.raises(DeclarationRefusedError) as caught:
        asc.builds.assign_encryption_declaration(build.id, missing)
    assert (caught.value.reason, caught.value.declaration_id) == ("not found", missing)
    assert _patches(fake) == 0


def test_another_apps_declaration_is_refused(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    other = fake.add_app("6443999999", bundle_id="com.example.other")
    declaration = fake.add_encryption_declaration(app_id=other.id)
    build = fake.add_build(app_id=APP_ID)
    with pytest.raises(DeclarationRefusedError) as caught:
        asc.builds.update(build.id, encryption_declaration_id=declaration.id)
    error = caught.value
    assert (error.reason, error.declaration_app_id, error.build_app_id) == (
        "other app",
        other.id,
        APP_ID,
    )
    assert "APPROVED" in str(error) and other.id in str(error)
    assert _patches(fake) == 0
    assert fake.build(build.id).encryption_declaration_id is None


@pytest.mark.parametrize("state", ["REJECTED", "INVALID", "EXPIRED"])
def test_an_unusable_state_is_refused_and_named(
    fake: FakeAppStoreConnect, asc: AppStoreConnect, state: str
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID, state=state)
    build = fake.add_build(app_id=APP_ID)
    with pytest.raises(DeclarationRefusedError) as caught:
        asc.builds.assign_encryption_declaration(build.id, declaration.id)
    assert (caught.value.reason, caught.value.state) == ("state", state)
    assert state in str(caught.value)
    assert _patches(fake) == 0


@pytest.mark.parametrize("state", ["CREATED", "IN_REVIEW", "APPROVED"])
def test_usable_states_pass(fake: FakeAppStoreConnect, asc: AppStoreConnect, state: str) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID, state=state)
    build = fake.add_build(app_id=APP_ID)
    assert asc.builds.check_declaration(build.id, declaration.id).state == state


def test_the_opt_out_sends_the_patch_as_asked(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID, state="REJECTED")
    build = fake.add_build(app_id=APP_ID)
    # App Store Connect itself then refuses it.
    with pytest.raises(ConflictError):
        asc.builds.assign_encryption_declaration(build.id, declaration.id, check_declaration=False)
    assert _patches(fake) == 1
    # No declaration read: the PATCH first (then the re-read after its 409).
    assert fake.requests[0].method == "PATCH"
    assert not any("appEncryptionDeclarations" in request.path for request in fake.requests)


async def test_async_refuses_the_same_way(
    fake: FakeAppStoreConnect, async_asc: AsyncAppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID, state="EXPIRED")
    build = fake.add_build(app_id=APP_ID)
    with pytest.raises(DeclarationRefusedError):
        await async_asc.builds.assign_encryption_declaration(build.id, declaration.id)
    assert _patches(fake) == 0
