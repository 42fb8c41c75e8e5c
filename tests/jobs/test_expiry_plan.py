"""plan_expiry: exact about what it will touch, checked against an independent computation."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

import attrs
import pytest
from asc_builds import InvalidInputError
from asc_builds.jobs import plan_expiry

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@attrs.frozen
class Fake:
    id: str
    marketing_version: str | None
    build_number: str | None
    uploaded_date: datetime.datetime | None
    expired: bool | None
    processing_state: str | None


def _history(count: int, seed: int) -> list[Fake]:
    rng = random.Random(seed)
    versions = ["1.0", "1.1", "2.0", "2.1"]
    builds = []
    for n in range(count):
        uploaded = NOW - datetime.timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        if n % 37 == 0:
            # Equal upload dates must be ordered by id, not by listing order.
            uploaded = NOW - 100 * DAY
        builds.append(
            Fake(
                id=f"build-{rng.randrange(10**8):08d}-{n}",
                marketing_version=versions[n % 4],
                build_number=str(n + 1),
                uploaded_date=uploaded,
                expired=rng.random() < 0.15,
                processing_state=rng.choices(
                    ["VALID", "PROCESSING", "FAILED", "INVALID"], [90, 4, 3, 3]
                )[0],
            )
        )
    rng.shuffle(builds)
    return builds


def _expected(
    builds: list[Fake], *, older_than: datetime.timedelta, keep: int, version: str | None
) -> set[str]:
    """The ids to expire, computed another way: rank within the scope by date then id."""
    scope = [b for b in builds if version is None or b.marketing_version == version]
    live = [b for b in scope if not b.expired and b.processing_state == "VALID"]
    ranked = defaultdict(int)
    for build in live:
        assert build.uploaded_date is not None
        ranked[build.id] = sum(
            1
            for other in live
            if other.uploaded_date is not None
            and (other.uploaded_date, other.id) > (build.uploaded_date, build.id)
        )
    return {
        b.id
        for b in live
        if ranked[b.id] >= keep
        and b.uploaded_date is not None
        and b.uploaded_date <= NOW - older_than
    }


@pytest.mark.parametrize("version", [None, "1.0", "1.1", "2.0", "2.1", "9.9"])
@pytest.mark.parametrize(("days", "keep"), [(90, 5), (0, 0), (30, 50), (400, 1), (100, 3)])
def test_300_builds_across_4_versions(version: str | None, days: int, keep: int) -> None:
    builds = _history(300, seed=days * 1000 + keep)
    plan = plan_expiry(
        builds, now=NOW, older_than=days * DAY, keep_latest=keep, marketing_version=version
    )
    expected = _expected(builds, older_than=days * DAY, keep=keep, version=version)
    assert set(plan.ids) == expected
    assert len(plan.ids) == len(expected)
    # Every build of the scope is listed once, either way, with a reason.
    scope = {b.id for b in builds if version is None or b.marketing_version == version}
    listed = [p.id for p in plan.to_expire] + [p.id for p in plan.kept]
    assert sorted(listed) == sorted(scope)
    assert all(p.reason for p in (*plan.to_expire, *plan.kept))
    # Oldest first.
    dates = [p.build.uploaded_date for p in plan.to_expire]
    assert dates == sorted(dates)  # type: ignore[type-var]


def test_each_kept_build_says_why() -> None:
    builds = [
        Fake("a", "1.0", "1", NOW - 200 * DAY, True, "VALID"),
        Fake("b", "1.0", "2", NOW - 200 * DAY, False, "PROCESSING"),
        Fake("c", "1.0", "3", NOW - 10 * DAY, False, "VALID"),
        Fake("d", "1.0", "4", NOW - 5 * DAY, False, "VALID"),
        Fake("e", "1.0", "5", NOW - 150 * DAY, False, "VALID"),
        Fake("f", "1.0", "6", NOW - 120 * DAY, False, "VALID"),
        Fake("g", "2.0", "7", NOW - 300 * DAY, False, "VALID"),
    ]
    plan = plan_expiry(builds, now=NOW, older_than=90 * DAY, keep_latest=1, marketing_version="1.0")
    reasons = {p.id: p.reason for p in plan.kept}
    assert reasons == {
        "a": "already expired",
        "b": "processing state is PROCESSING",
        "d": "the latest (#1)",
        "c": "uploaded 10 days ago, newer than the cutoff",
    }
    assert plan.ids == ["e", "f"]
    assert [p.reason for p in plan.to_expire] == ["uploaded 150 days ago", "uploaded 120 days ago"]


def test_a_build_listed_twice_is_planned_once() -> None:
    build = Fake("a", "1.0", "1", NOW - 200 * DAY, False, "VALID")
    plan = plan_expiry([build, build], now=NOW, older_than=DAY, keep_latest=0)
    assert plan.ids == ["a"]
    assert plan.kept == ()


@pytest.mark.parametrize(
    "options",
    [
        {"older_than": -DAY},
        {"older_than": 90},
        {"keep_latest": -1},
        {"keep_latest": True},
        {"now": datetime.datetime(2026, 1, 1)},
    ],
)
def test_options_are_checked(options: dict[str, object]) -> None:
    settings: dict[str, object] = {"now": NOW, "older_than": DAY, "keep_latest": 0}
    settings.update(options)
    with pytest.raises(InvalidInputError):
        plan_expiry([], **settings)  # type: ignore[arg-type]


def test_equal_upload_dates_are_ordered_by_id_whatever_the_listing_order() -> None:
    same = NOW - 200 * DAY
    builds = [Fake(name, "1.0", name, same, False, "VALID") for name in "adbec"]
    plans = {
        tuple(plan_expiry(order, now=NOW, older_than=DAY, keep_latest=2).ids)
        for order in (builds, builds[::-1], sorted(builds, key=lambda b: b.id))
    }
    # The greatest ids count as the latest: "e" and "d" are kept.
    assert plans == {("a", "b", "c")}
