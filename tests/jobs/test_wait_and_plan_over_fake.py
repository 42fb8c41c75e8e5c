"""wait_until_processed and plan_expiry against the fake, on its manual clock."""

from __future__ import annotations

import datetime

import pytest
from asc_builds import AmbiguousBuildError, AppStoreConnect, AsyncAppStoreConnect, NotFoundError
from asc_builds.jobs import (
    PollSchedule,
    ProcessingFailedError,
    WaitProgress,
    WaitTimeoutError,
    plan_expiry,
)
from asc_builds.testing import FakeAppStoreConnect, ManualClock

from .conftest import APP_ID, BUNDLE_ID

SCHEDULE = PollSchedule(initial=10, factor=2, maximum=60, jitter=0.2)


class Script:
    """Things that happen at App Store Connect after the n-th poll (a sleep between polls)."""

    def __init__(self, clock: ManualClock, events: dict[int, object]) -> None:
        self.clock = clock
        self.events = events
        self.sleeps = 0

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)
        self.sleeps += 1
        event = self.events.get(self.sleeps)
        if callable(event):
            event()


def test_a_build_that_appears_after_polls_is_waited_for_until_valid(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    holder: dict[str, str] = {}

    def upload() -> None:
        holder["id"] = fake.add_build(
            app_id=APP_ID, version="345", marketing_version="2.1.0", processing_state="PROCESSING"
        ).id

    script = Script(
        clock,
        {3: upload, 5: lambda: fake.set_processing_state(holder["id"], "VALID")},
    )
    seen: list[WaitProgress] = []
    with fake.client(sleep=script.sleep, random=lambda: 0.5) as asc:
        build = asc.builds.wait_until_processed(
            bundle_id=BUNDLE_ID,
            marketing_version="2.1.0",
            build_number="345",
            schedule=SCHEDULE,
            on_progress=seen.append,
        )
    assert build.id == holder["id"] and build.processing_state == "VALID"
    assert build.build_number == "345" and build.marketing_version == "2.1.0"
    assert [(p.found, p.state) for p in seen] == [
        (False, None),
        (False, None),
        (False, None),
        (True, "PROCESSING"),
        (True, "PROCESSING"),
        (True, "VALID"),
    ]
    assert [p.changed for p in seen] == [True, False, False, True, False, True]
    assert clock.slept == [10, 20, 40, 60, 60]


@pytest.mark.parametrize("state", ["FAILED", "INVALID"])
def test_failed_processing_is_a_typed_error_with_the_state(
    fake: FakeAppStoreConnect, clock: ManualClock, state: str
) -> None:
    build = fake.add_build(app_id=APP_ID, version="7", processing_state="PROCESSING")
    script = Script(clock, {2: lambda: fake.set_processing_state(build.id, state)})
    with (
        fake.client(sleep=script.sleep, random=lambda: 0.5) as asc,
        pytest.raises(ProcessingFailedError) as caught,
    ):
        asc.builds.wait_until_processed(build.id, schedule=SCHEDULE)
    assert (caught.value.state, caught.value.build_id) == (state, build.id)


def test_timeout_gives_the_last_state_and_the_time_waited(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    fake.add_build(app_id=APP_ID, version="8", processing_state="PROCESSING")
    with (
        fake.client(random=lambda: 0.5) as asc,
        pytest.raises(WaitTimeoutError) as caught,
    ):
        asc.builds.wait_until_processed(
            bundle_id=BUNDLE_ID, build_number="8", timeout=300, schedule=SCHEDULE
        )
    error = caught.value
    assert (error.last_state, error.waited) == ("PROCESSING", 300)
    assert sum(clock.slept) == 300


def test_a_build_never_listed_times_out_saying_so(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    with (
        fake.client(random=lambda: 0.5) as asc,
        pytest.raises(WaitTimeoutError) as caught,
    ):
        asc.builds.wait_until_processed(bundle_id=BUNDLE_ID, build_number="999", timeout=60)
    assert caught.value.build_id is None and "never listed" in str(caught.value)


def test_a_build_id_that_does_not_exist_fails_at_once(asc: AppStoreConnect) -> None:
    with pytest.raises(NotFoundError):
        asc.builds.wait_until_processed("00000000-0000-0000-0000-000000000000")


def test_the_same_build_number_in_two_versions_needs_the_version(
    fake: FakeAppStoreConnect, asc: AppStoreConnect
) -> None:
    fake.add_build(app_id=APP_ID, version="5", marketing_version="1.0")
    fake.add_build(app_id=APP_ID, version="5", marketing_version="2.0")
    with pytest.raises(AmbiguousBuildError):
        asc.builds.wait_until_processed(bundle_id=BUNDLE_ID, build_number="5")
    build = asc.builds.wait_until_processed(
        bundle_id=BUNDLE_ID, build_number="5", marketing_version="2.0"
    )
    assert build.marketing_version == "2.0"


async def test_async_wait(fake: FakeAppStoreConnect, async_asc: AsyncAppStoreConnect) -> None:
    build = fake.add_build(app_id=APP_ID, version="9", processing_state="VALID")
    found = await async_asc.builds.wait_until_processed(bundle_id=BUNDLE_ID, build_number="9")
    assert found.id == build.id


def test_plan_expiry_on_300_builds_matches_planning_the_fakes_own_state(
    fake: FakeAppStoreConnect, clock: ManualClock
) -> None:
    _, builds = fake.add_app_with_builds("com.example.history", builds=300)
    app_id = builds[0].app_id
    with fake.client() as asc:
        plan = asc.builds.plan_expiry(
            bundle_id="com.example.history", older_than=datetime.timedelta(days=30), keep_latest=5
        )
        per_version = asc.builds.plan_expiry(
            app_id=app_id,
            older_than=datetime.timedelta(days=10),
            keep_latest=2,
            marketing_version="1.1",
        )
    stored = [fake.build(b.id) for b in builds]

    class Seen:
        def __init__(self, b: object) -> None:
            self.id = b.id  # type: ignore[attr-defined]
            self.marketing_version = b.marketing_version  # type: ignore[attr-defined]
            self.build_number = b.version  # type: ignore[attr-defined]
            self.uploaded_date = datetime.datetime.fromtimestamp(
                int(b.uploaded_at),  # type: ignore[attr-defined]
                tz=datetime.UTC,
            )
            self.expired = b.expired  # type: ignore[attr-defined]
            self.processing_state = b.processing_state  # type: ignore[attr-defined]

    now = datetime.datetime.fromtimestamp(clock.now(), tz=datetime.UTC)
    expected = plan_expiry(
        [Seen(b) for b in stored], now=now, older_than=datetime.timedelta(days=30), keep_latest=5
    )
    assert plan.ids == expected.ids
    assert len(plan.ids) + len(plan.kept) == 300
    assert set(per_version.ids) <= {b.id for b in stored if b.marketing_version == "1.1"}
    # Planning sends no PATCH.
    assert not any(request.method == "PATCH" for request in fake.requests)
