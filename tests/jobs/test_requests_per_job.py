"""Requests per job, counted against the fake: the hourly budget (about 3,600 a key) is what
teams running many pipelines run out of. Each figure is a "Done when" of the budget work;
the benchmark section "requests per job" prints the same jobs."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from asc_builds import ApiKey, AppStoreConnect, AsyncAppStoreConnect, BuildNotFoundError
from asc_builds.testing import API_BASE_URL, FakeAppStoreConnect, ManualClock
from asc_builds_generated.models import BuildAttributes
from asc_builds_generated.types import Unset

from .conftest import APP_ID, BUNDLE_ID


def _count(fake: FakeAppStoreConnect, method: str | None = None) -> int:
    return sum(1 for r in fake.requests if method is None or r.method == method)


def _builds(fake: FakeAppStoreConnect, count: int, *, expired: bool = False) -> list[str]:
    return [fake.add_build(app_id=APP_ID, expired=expired).id for _ in range(count)]


def test_a_first_run_on_1000_ids_costs_a_patch_each_and_ten_reads(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    ids = _builds(fake, 1000)
    outcomes = asc.builds.expire_many(ids)
    assert [o.status for o in outcomes] == ["changed"] * 1000
    assert all(fake.build(i).expired for i in ids)
    assert _count(fake, "PATCH") == 1000
    assert _count(fake) <= 1015
    assert _count(fake, "GET") == 10


def test_re_running_on_1000_expired_ids_sends_no_patch(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    ids = _builds(fake, 1000, expired=True)
    outcomes = asc.builds.expire_many(ids)
    assert [o.status for o in outcomes] == ["already"] * 1000
    assert all(o.ok and o.unwrap().id == i for o, i in zip(outcomes, ids, strict=True))
    assert _count(fake, "PATCH") == 0
    assert _count(fake) <= 15


async def test_half_expired_half_not_costs_the_half_and_the_reads(
    fake: FakeAppStoreConnect, async_asc: AsyncAppStoreConnect
) -> None:
    fresh = _builds(fake, 500)
    done = _builds(fake, 500, expired=True)
    ids = [i for pair in zip(fresh, done, strict=True) for i in pair]
    outcomes = await async_asc.builds.expire_many(ids)
    assert [o.build_id for o in outcomes] == ids
    assert [o.status for o in outcomes] == ["changed", "already"] * 500
    assert _count(fake, "PATCH") == 500
    assert _count(fake) <= 515


def test_the_read_asks_for_100_ids_and_only_expired_and_the_build_number(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    ids = _builds(fake, 150)
    asc.builds.expire_many(ids)
    reads = [r for r in fake.requests if r.method == "GET"]
    queries = [parse_qs(r.query) for r in reads]
    assert [q["filter[id]"][0].split(",") for q in queries] == [ids[:100], ids[100:]]
    assert all(q["fields[builds]"] == ["version,expired"] for q in queries)
    assert not any("include" in q for q in queries)
    # 100 of Apple's ids (UUIDs) in one URL: about 4 KB (the README says so).
    url = f"https://api.appstoreconnect.apple.com{reads[0].path}?{reads[0].query}"
    assert 3_900 < len(url) < 4_200


def test_an_id_not_returned_fails_naming_it_and_is_not_sent(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    real = _builds(fake, 2)
    missing = "00000000-0000-0000-0000-000000000000"
    outcomes = asc.builds.expire_many([real[0], missing, real[1]])
    assert [o.status for o in outcomes] == ["changed", "failed", "changed"]
    error = outcomes[1].error
    assert isinstance(error, BuildNotFoundError) and missing in str(error)
    with pytest.raises(BuildNotFoundError):
        outcomes[1].unwrap()
    patched = [urlsplit(r.path).path for r in fake.requests if r.method == "PATCH"]
    assert sorted(patched) == sorted(f"/v1/builds/{i}" for i in real)


class _ExpiredByAnotherJob(httpx.BaseTransport):
    """The fake, where another job expires the build just before our PATCH arrives."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.raced = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and not self.raced:
            self.raced = True
            self.inner.handle_request(request).close()
        return self.inner.handle_request(request)


def test_a_build_expired_between_the_read_and_the_patch_still_converges(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    (build_id,) = _builds(fake, 1)
    key = fake.add_throwaway_key()
    api_key = ApiKey(key_id=key.key_id, issuer_id=key.issuer_id, private_key=key.private_key_pem)
    transport = _ExpiredByAnotherJob(fake.transport())
    with AppStoreConnect(
        api_key, base_url=API_BASE_URL, transport=transport, now=clock.now, sleep=clock.sleep
    ) as asc:
        (outcome,) = asc.builds.expire_many([build_id])
    # The read saw it unexpired; the PATCH met a 409 and the re-read showed it expired.
    assert transport.raced and outcome.status == "already"
    assert [r.status for r in fake.requests if r.method == "PATCH"] == [200, 409]


def test_outcomes_keep_a_compact_build_unless_asked(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    ids = _builds(fake, 2)
    compact = asc.builds.expire_many(ids[:1])[0].unwrap()
    attributes = compact.attributes
    assert isinstance(attributes, BuildAttributes) and attributes.expired is True
    assert attributes.version == "1"
    assert isinstance(attributes.uploaded_date, Unset) and isinstance(compact.links, Unset)
    whole = asc.builds.expire_many(ids[1:], keep_builds=True)[0].unwrap()
    assert isinstance(whole.attributes, BuildAttributes)
    assert whole.attributes.uploaded_date is not None and not isinstance(whole.links, Unset)


def test_apply_with_a_declaration_already_held_reads_once_and_sends_nothing(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(app_id=APP_ID, encryption_declaration_id=declaration.id)
    result = asc.builds.apply(build.id, encryption_declaration_id=declaration.id)
    assert result.changed is False
    assert _count(fake) == 1 and _count(fake, "PATCH") == 0


def test_apply_with_current_from_find_reads_only_the_declaration(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration(app_id=APP_ID)
    build = fake.add_build(app_id=APP_ID, version="77")
    include = ("preReleaseVersion", "appEncryptionDeclaration")
    current = asc.builds.find(app_id=APP_ID, build_number="77", include=include)
    before = _count(fake)
    result = asc.builds.apply(build.id, encryption_declaration_id=declaration.id, current=current)
    assert result.changed is True
    assert fake.build(build.id).encryption_declaration_id == declaration.id
    assert _count(fake) - before <= 2
    assert [r.method for r in fake.requests[before:]] == ["GET", "PATCH"]


def test_finding_a_build_among_5000_takes_two_requests(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    for number in range(5000):
        fake.add_build(app_id=APP_ID, version=str(number))
    found = asc.builds.find(bundle_id=BUNDLE_ID, build_number="4321")
    assert found.build_number == "4321" and found.app_id == APP_ID
    assert _count(fake) <= 2


def test_a_plan_with_nothing_left_to_expire_costs_two_requests(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    now = fake.now()
    for age in range(500):
        fake.add_build(app_id=APP_ID, version=str(age), uploaded_at=now - (age + 1) * 86_400)
    plan = asc.builds.plan_expiry(
        bundle_id=BUNDLE_ID, older_than=datetime.timedelta(days=30), keep_latest=5
    )
    asc.builds.expire_many(plan.ids)
    first_run = _count(fake)
    again = asc.builds.plan_expiry(
        bundle_id=BUNDLE_ID, older_than=datetime.timedelta(days=30), keep_latest=5
    )
    assert again.ids == []
    assert asc.builds.expire_many(again.ids) == []
    # The app is known to the client already; the unexpired builds fit on one page (all
    # 500 would take three).
    assert _count(fake) - first_run <= 2
    assert len(again.kept) == 29
