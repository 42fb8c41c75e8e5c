"""`fake.client()` and `fake.async_client()`: the SDK bound to the fake, nothing by hand."""

from __future__ import annotations

import pytest
from asc_builds import AppStoreConnect, AsyncAppStoreConnect, NotFoundError
from asc_builds.testing import FakeAppStoreConnect, ManualClock, RateLimited


def test_a_ready_client_changes_the_fakes_builds(fake: FakeAppStoreConnect) -> None:
    build = fake.add_build(expired=False)
    with fake.client() as asc:
        assert isinstance(asc, AppStoreConnect)
        returned = asc.builds.expire(build.id)
    assert returned.id == build.id
    assert fake.build(build.id).expired
    (request,) = fake.requests
    assert request.status == 200 and request.rejection is None


async def test_a_ready_async_client_changes_the_fakes_builds(fake: FakeAppStoreConnect) -> None:
    builds = [fake.add_build() for _ in range(3)]
    async with fake.async_client() as asc:
        assert isinstance(asc, AsyncAppStoreConnect)
        outcomes = await asc.builds.expire_many([b.id for b in builds])
    assert all(outcome.ok for outcome in outcomes)
    assert all(fake.build(b.id).expired for b in builds)


def test_the_client_follows_the_fakes_clock_and_sleep(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    # The manual clock is months away from the real one: a client on the real clock would
    # sign tokens the fake refuses, and would really wait 30 s before its retry.
    build = fake.add_build()
    fake.inject(RateLimited(retry_after=30))
    with fake.client() as asc:
        asc.builds.expire(build.id)
    assert [r.status for r in fake.requests] == [429, 200]
    assert clock.slept == [30]


@pytest.mark.parametrize("individual", [False, True])
def test_a_given_throwaway_key_is_used(fake: FakeAppStoreConnect, individual: bool) -> None:
    key = fake.add_throwaway_key(individual=individual)
    with fake.client(key, max_retries=0) as asc, pytest.raises(NotFoundError):
        asc.builds.expire("00000000-0000-0000-0000-000000000000")
    (request,) = fake.requests
    assert request.rejection is None, "the token was accepted; the build just does not exist"
    assert key.key_id in repr(key.api_key())
    assert key.api_key().is_individual is individual


def test_an_unregistered_key_is_refused_by_the_fake(fake: FakeAppStoreConnect) -> None:
    from asc_builds import AuthenticationError
    from asc_builds.testing import make_throwaway_key

    stranger = make_throwaway_key()
    build = fake.add_build()
    with fake.client(stranger, max_retries=0) as asc, pytest.raises(AuthenticationError):
        asc.builds.expire(build.id)
    assert not fake.build(build.id).expired


def test_the_client_fixture_is_bound_to_the_fake_fixture(
    fake_app_store_connect: FakeAppStoreConnect, app_store_connect_client: AppStoreConnect
) -> None:
    build = fake_app_store_connect.add_build()
    app_store_connect_client.builds.set_uses_non_exempt_encryption(build.id, False)
    assert fake_app_store_connect.build(build.id).uses_non_exempt_encryption is False
