"""builds.get / list / pages / find, apps.find and encryption_declarations.get over the fake."""

from __future__ import annotations

import gc
import logging
import re
import weakref
from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest
from asc_builds import (
    AmbiguousBuildError,
    APIKey,
    AppNotFoundError,
    AppStoreConnect,
    AsyncAppStoreConnect,
    BuildInfo,
    BuildNotFoundError,
    NotFoundError,
    ResponseValidationError,
)
from asc_builds.testing import FakeAppStoreConnect, ManualClock, RateLimited, ThrowawayKey

BUNDLE_ID = "com.example.app"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeAppStoreConnect:
    return FakeAppStoreConnect(clock=clock.now, sleep=clock.sleep, async_sleep=clock.async_sleep)


@pytest.fixture
def key(fake: FakeAppStoreConnect) -> APIKey:
    throwaway: ThrowawayKey = fake.add_throwaway_key()
    return APIKey(
        key_id=throwaway.key_id,
        issuer_id=throwaway.issuer_id,
        private_key=throwaway.private_key_pem,
    )


@pytest.fixture
def asc(fake: FakeAppStoreConnect, key: APIKey, clock: ManualClock) -> Iterator[AppStoreConnect]:
    sleeps: list[float] = []
    with AppStoreConnect(
        key, transport=fake.transport(), now=clock.now, sleep=sleeps.append, random=lambda: 0.0
    ) as client:
        yield client


def queries(fake: FakeAppStoreConnect) -> list[dict[str, str]]:
    return [dict(parse_qsl(request.query)) for request in fake.requests]


def test_get_reads_one_build_with_both_version_numbers(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    stored = fake.add_build(version="345", marketing_version="2.1.0", processing_state="PROCESSING")
    build = asc.builds.get(stored.id)
    assert isinstance(build, BuildInfo)
    assert (build.id, build.build_number, build.marketing_version) == (stored.id, "345", "2.1.0")
    assert build.processing_state == "PROCESSING" and build.expired is False
    assert build.uploaded_date is not None and build.uploaded_date.timestamp() == stored.uploaded_at
    (request,) = fake.requests
    assert (request.method, request.path) == ("GET", f"/v1/builds/{stored.id}")
    assert queries(fake) == [{"include": "preReleaseVersion"}]


def test_reads_count_against_the_rate_budget_and_are_logged(
    asc: AppStoreConnect, fake: FakeAppStoreConnect, caplog: pytest.LogCaptureFixture
) -> None:
    stored = fake.add_build()
    caplog.set_level(logging.DEBUG, logger="asc_builds")
    asc.builds.get(stored.id)
    list(asc.builds.list(app_id=stored.app_id))
    assert asc.last_rate_limit is not None and asc.last_rate_limit.remaining == 3598
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith(f"GET /v1/builds/{stored.id}?include=") for line in lines)
    assert any(line.startswith("GET /v1/builds?") and "-> 200" in line for line in lines)


def test_get_without_include_has_no_marketing_version(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    stored = fake.add_build(version="7")
    build = asc.builds.get(stored.id, include=())
    assert build.build_number == "7" and build.marketing_version is None
    assert fake.requests[0].query == ""


def test_several_includes_travel_comma_separated_as_the_spec_says(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration()
    stored = fake.add_build(encryption_declaration_id=declaration.id)
    build = asc.builds.get(stored.id, include=("preReleaseVersion", "appEncryptionDeclaration"))
    assert fake.requests[0].query == "include=preReleaseVersion%2CappEncryptionDeclaration"
    assert build.encryption_declaration_id == declaration.id
    assert build.encryption_declaration is not None
    assert build.encryption_declaration.id == declaration.id


def test_get_with_fields_asks_for_those_and_reads_only_those(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    stored = fake.add_build(version="345", processing_state="VALID")
    build = asc.builds.get(stored.id, include=(), fields=("processingState", "expired"))
    assert fake.requests[0].query == "fields%5Bbuilds%5D=processingState%2Cexpired"
    assert (build.processing_state, build.expired) == ("VALID", False)
    assert build.build_number is None and build.uploaded_date is None
    one = asc.builds.get(stored.id, include=(), fields="version")
    assert fake.requests[1].query == "fields%5Bbuilds%5D=version"
    assert one.build_number == "345" and one.processing_state is None


async def test_the_async_get_takes_the_same_fields(
    fake: FakeAppStoreConnect, key: APIKey, clock: ManualClock
) -> None:
    stored = fake.add_build(version="7")
    async with AsyncAppStoreConnect(
        key, transport=fake.async_transport(), now=clock.now, sleep=clock.async_sleep
    ) as client:
        build = await client.builds.get(stored.id, fields=["version"])
    # The included relationship joins the fieldset: its linkage names the included version.
    query = "fields%5Bbuilds%5D=version%2CpreReleaseVersion&include=preReleaseVersion"
    assert fake.requests[0].query == query
    assert build.build_number == "7" and build.expired is None


def test_get_of_an_unknown_build_is_a_404(asc: AppStoreConnect) -> None:
    with pytest.raises(NotFoundError):
        asc.builds.get("no-such-build")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda asc: asc.builds.get(""), "build id is empty"),
        (lambda asc: asc.builds.get("a/b"), "not a path"),
        (lambda asc: asc.builds.get("b", include=["icons", "nope"]), "unknown include 'nope'"),
        (lambda asc: asc.builds.get("b", fields=["expired", "nope"]), "unknown field 'nope'"),
        (lambda asc: asc.builds.get("b", fields=[]), "field is empty"),
        (lambda asc: asc.builds.list(processing_state="DONE"), "unknown processing state"),
        (lambda asc: asc.builds.list(processing_state=[]), "processing state is empty"),
        (lambda asc: asc.builds.list(sort="newest"), "unknown sort 'newest'"),
        (lambda asc: asc.builds.list(bundle_id=""), "bundle id is empty"),
        (lambda asc: asc.builds.list(bundle_id="com.example app"), "contains ' '"),
        (lambda asc: asc.builds.list(bundle_id="com/example"), "letters, digits"),
        (lambda asc: asc.builds.list(app_id=" 1"), "whitespace"),
        (lambda asc: asc.builds.list(marketing_version="1.0,2.0"), "contains ','"),
        (lambda asc: asc.builds.list(build_number=345), "must be a string"),
        (lambda asc: asc.builds.list(expired="no"), "expired must be"),
        (lambda asc: asc.builds.list(max_items=-1), "max_items"),
        (lambda asc: asc.builds.list(bundle_id="a", app_id="1"), "not both"),
        (lambda asc: asc.builds.find(build_number="1"), "needs bundle_id or app_id"),
        (lambda asc: asc.apps.find(bundle_id="com.example.app\n"), "contains"),
        (lambda asc: asc.encryption_declarations.get(".."), "path segment"),
    ],
)
def test_bad_criteria_are_refused_before_anything_is_sent(
    asc: AppStoreConnect, fake: FakeAppStoreConnect, call: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(asc)  # type: ignore[operator]
    assert fake.requests == ()


def test_list_sends_each_filter_and_gets_only_matching_builds(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=120)
    other = fake.add_app(bundle_id="com.example.other")
    fake.add_build(app_id=other.id, version="3", marketing_version="2.0")
    found = list(
        asc.builds.list(
            bundle_id=BUNDLE_ID,
            marketing_version="2.0",
            expired=False,
            processing_state=["VALID", "FAILED"],
            sort="-uploadedDate",
        )
    )
    expected = [
        b
        for b in builds
        if b.marketing_version == "2.0"
        and not b.expired
        and b.processing_state in ("VALID", "FAILED")
    ]
    assert expected, "the seed has such builds"
    assert [b.id for b in found] == [b.id for b in reversed(expected)]
    assert all(b.marketing_version == "2.0" for b in found)
    assert queries(fake)[-1] == {
        "filter[app]": app.id,
        "filter[preReleaseVersion.version]": "2.0",
        "filter[expired]": "false",
        "filter[processingState]": "VALID,FAILED",
        "sort": "-uploadedDate",
        "include": "preReleaseVersion",
        "limit": "200",
    }


def test_build_number_filter_and_max_items_ask_for_no_more_than_needed(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app, _ = fake.add_app_with_builds(BUNDLE_ID, builds=450)
    three = list(asc.builds.list(app_id=app.id, sort="version", max_items=3))
    assert [b.build_number for b in three] == ["1", "2", "3"]
    assert len(fake.requests) == 1 and queries(fake)[0]["limit"] == "3"
    assert list(asc.builds.list(app_id=app.id, max_items=0)) == []
    assert len(fake.requests) == 1, "max_items=0 sends nothing"
    (one,) = asc.builds.list(app_id=app.id, build_number="345")
    assert one.build_number == "345"


def test_a_bundle_id_is_resolved_once_per_client_and_only_exactly(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    # The fake, like Apple, also returns com.example.app.widget for com.example.app.
    widget = fake.add_app(bundle_id="com.example.app.widget")
    app = fake.add_app(bundle_id=BUNDLE_ID)
    assert asc.apps.find(bundle_id=BUNDLE_ID).id == app.id
    assert asc.apps.find(bundle_id="com.example.app.widget").id == widget.id
    list(asc.builds.list(bundle_id=BUNDLE_ID))
    list(asc.builds.list(bundle_id=BUNDLE_ID))
    app_reads = [r for r in fake.requests if r.path == "/v1/apps"]
    assert len(app_reads) == 2, "one read per bundle id, whatever the number of calls"
    assert dict(parse_qsl(app_reads[0].query))["filter[bundleId]"] == BUNDLE_ID


def test_no_exact_bundle_id_says_so_and_names_what_apple_returned(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    fake.add_app(bundle_id="com.example.app.widget")
    with pytest.raises(AppNotFoundError) as caught:
        asc.apps.find(bundle_id=BUNDLE_ID)
    assert caught.value.near_matches == ("com.example.app.widget",)
    assert "com.example.app.widget" in str(caught.value)
    assert isinstance(caught.value, LookupError)
    with pytest.raises(AppNotFoundError, match=re.escape("no app with bundle id 'com.nothing'")):
        asc.builds.find(bundle_id="com.nothing", build_number="1")


def test_find_returns_exactly_one_build(asc: AppStoreConnect, fake: FakeAppStoreConnect) -> None:
    _, builds = fake.add_app_with_builds(BUNDLE_ID, builds=40)
    found = asc.builds.find(bundle_id=BUNDLE_ID, marketing_version="1.1", build_number="12")
    assert found.id == next(b.id for b in builds if b.version == "12")
    assert (found.marketing_version, found.build_number) == ("1.1", "12")


def test_find_of_nothing_names_the_criteria(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    fake.add_app_with_builds(BUNDLE_ID, builds=5)
    with pytest.raises(BuildNotFoundError) as caught:
        asc.builds.find(bundle_id=BUNDLE_ID, marketing_version="9.9", build_number="3")
    message = str(caught.value)
    assert "bundle_id='com.example.app'" in message
    assert "marketing_version='9.9'" in message and "build_number='3'" in message
    assert caught.value.criteria["build_number"] == "3"


def test_find_of_several_lists_the_candidates(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app = fake.add_app(bundle_id=BUNDLE_ID)
    first = fake.add_build(app_id=app.id, version="7", marketing_version="1.0")
    second = fake.add_build(app_id=app.id, version="7", marketing_version="2.0")
    with pytest.raises(AmbiguousBuildError) as caught:
        asc.builds.find(bundle_id=BUNDLE_ID, build_number="7")
    assert {c.id for c in caught.value.candidates} == {first.id, second.id}
    assert "2 builds match" in str(caught.value) and "2.0 build 7" in str(caught.value)


@pytest.mark.parametrize("count", [1, 199, 200, 201, 10_000])
def test_paging_yields_every_build_once(
    asc: AppStoreConnect, fake: FakeAppStoreConnect, count: int
) -> None:
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=count)
    seen = [build.id for build in asc.builds.list(app_id=app.id)]
    assert len(seen) == len(set(seen)) == count, "no duplicate"
    assert set(seen) == {b.id for b in builds}, "none missing"
    pages = -(-count // 200)
    assert len(fake.requests) == pages
    assert all(dict(parse_qsl(r.query))["limit"] == "200" for r in fake.requests)


def test_pages_carry_the_total_and_the_next_link(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app, _ = fake.add_app_with_builds(BUNDLE_ID, builds=450)
    pages = list(asc.builds.pages(app_id=app.id))
    assert [len(p.items) for p in pages] == [200, 200, 50]
    assert {p.total for p in pages} == {450}
    assert pages[0].next_url is not None and "cursor=" in pages[0].next_url
    assert pages[-1].next_url is None


def test_a_429_in_the_middle_of_paging_resumes_at_the_same_page(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=450)
    seen: list[str] = []
    for build in asc.builds.list(app_id=app.id):
        seen.append(build.id)
        if len(seen) == 200:
            # The next request (the second page) is refused once.
            fake.inject(RateLimited(retry_after=1))
    assert sorted(seen) == sorted(b.id for b in builds) and len(seen) == 450
    statuses = [r.status for r in fake.requests]
    assert statuses == [200, 429, 200, 200]
    assert fake.requests[1].query == fake.requests[2].query, "the same cursor is retried"
    assert "cursor=" in fake.requests[1].query


def test_iterating_without_keeping_items_holds_one_page_at_most(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app, _ = fake.add_app_with_builds(BUNDLE_ID, builds=1_000)
    refs: list[weakref.ref[BuildInfo]] = []
    most_alive = 0
    for index, build in enumerate(asc.builds.list(app_id=app.id)):
        refs.append(weakref.ref(build))
        del build
        if index % 100 == 99:
            gc.collect()
            most_alive = max(most_alive, sum(1 for ref in refs if ref() is not None))
    assert len(refs) == 1_000
    assert most_alive <= 200, "only the current page stays in memory"


def test_a_next_link_to_another_host_is_not_followed(
    key: APIKey, fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    app, _ = fake.add_app_with_builds(BUNDLE_ID, builds=300)
    inner = fake.transport()
    hosts: list[str] = []

    def rewrite(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        response = inner.handle_request(request)
        body = response.read().replace(b"api.appstoreconnect.apple.com/v1/builds?", b"evil.test/?")
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    with (
        AppStoreConnect(key, transport=httpx.MockTransport(rewrite), now=clock.now) as asc,
        pytest.raises(ResponseValidationError, match=re.escape("outside https://api.appstore")),
    ):
        list(asc.builds.list(app_id=app.id))
    assert hosts == ["api.appstoreconnect.apple.com"]


def test_encryption_declarations_get_names_its_app(
    asc: AppStoreConnect, fake: FakeAppStoreConnect
) -> None:
    app = fake.add_app(bundle_id=BUNDLE_ID)
    declaration = fake.add_encryption_declaration(app_id=app.id, state="IN_REVIEW")
    read = asc.encryption_declarations.get(declaration.id)
    assert read.id == declaration.id
    assert read.attributes and str(read.attributes.app_encryption_declaration_state) == "IN_REVIEW"
    assert read.relationships and read.relationships.app and read.relationships.app.data
    assert read.relationships.app.data.id == app.id
    assert queries(fake) == [{"include": "app"}]


async def test_the_async_client_reads_the_same_way(
    key: APIKey, fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=249)
    builds.append(fake.add_build(app_id=app.id, version="1", marketing_version="9.0"))
    declaration = fake.declarations_of(app.id)[0]
    async with AsyncAppStoreConnect(key, transport=fake.async_transport(), now=clock.now) as asc:
        one = await asc.builds.get(builds[0].id)
        listed = [b.id async for b in asc.builds.list(bundle_id=BUNDLE_ID)]
        pages = [len(p.items) async for p in asc.builds.pages(bundle_id=BUNDLE_ID)]
        found = await asc.builds.find(bundle_id=BUNDLE_ID, build_number="249")
        app_read = await asc.apps.find(bundle_id=BUNDLE_ID)
        read = await asc.encryption_declarations.get(declaration.id)
        limited = [b.id async for b in asc.builds.list(app_id=app.id, max_items=2)]
        with pytest.raises(BuildNotFoundError):
            await asc.builds.find(app_id=app.id, build_number="999")
        with pytest.raises(AmbiguousBuildError):
            await asc.builds.find(app_id=app.id, build_number="1")
    assert one.marketing_version == "1.0"
    assert sorted(listed) == sorted(b.id for b in builds)
    assert pages == [200, 50]
    assert found.build_number == "249" and app_read.id == app.id and read.id == declaration.id
    assert len(limited) == 2
    assert [r.path for r in fake.requests].count("/v1/apps") == 1, "resolved once"
