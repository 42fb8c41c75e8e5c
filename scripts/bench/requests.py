"""Section 10: requests per job, beside the careful minimum.

Apple gives a key about 3,600 requests per rolling hour, shared by every job on it: what a
team running many pipelines runs out of is requests, not client CPU. Each job runs
in-process against the fake App Store Connect on a manual clock (waits take no time) and
counts the requests the fake received. Memory: the traced peak of `expire_many` per id.
"""

from __future__ import annotations

import datetime
import gc
import tracemalloc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .report import SECTION_TITLES, markdown_table

if TYPE_CHECKING:
    from asc_builds.testing import FakeAppStoreConnect, ManualClock

__all__ = ["RequestsResult", "RequestsRow", "measure_requests", "render_requests"]

MINUTE = 60.0


@dataclass(frozen=True)
class RequestsRow:
    job: str
    requests: int
    patches: int
    minimum: str


@dataclass(frozen=True)
class RequestsResult:
    rows: list[RequestsRow]
    bytes_per_id: float
    ids_for_memory: int


def _fake() -> tuple[FakeAppStoreConnect, ManualClock]:
    from asc_builds.testing import FakeAppStoreConnect, ManualClock

    clock = ManualClock()
    fake = FakeAppStoreConnect(clock=clock.now, sleep=clock.sleep, async_sleep=clock.async_sleep)
    fake.add_app("6443000001", bundle_id="com.example.app")
    return fake, clock


def _counted(fake: FakeAppStoreConnect, before: int) -> tuple[int, int]:
    sent = fake.requests[before:]
    return len(sent), sum(1 for request in sent if request.method == "PATCH")


def _expiry_rows() -> list[RequestsRow]:
    rows: list[RequestsRow] = []
    fake, _ = _fake()
    ids = [fake.add_build(app_id="6443000001").id for _ in range(1000)]
    with fake.client() as asc:
        asc.builds.expire_many(ids)
        rows.append(
            RequestsRow(
                "expire_many of 1,000 ids, first run", *_counted(fake, 0), "1,000 (+ a few reads)"
            )
        )
        before = len(fake.requests)
        asc.builds.expire_many(ids)
        rows.append(
            RequestsRow(
                "the same 1,000 ids again (all expired)", *_counted(fake, before), "about 10"
            )
        )
    fake, _ = _fake()
    mixed = [fake.add_build(app_id="6443000001", expired=n % 2 == 0).id for n in range(1000)]
    with fake.client() as asc:
        asc.builds.expire_many(mixed)
    rows.append(
        RequestsRow(
            "expire_many of 500 expired and 500 not", *_counted(fake, 0), "500 (+ a few reads)"
        )
    )
    fake, _ = _fake()
    now = fake.now()
    for age in range(500):
        fake.add_build(app_id="6443000001", version=str(age), uploaded_at=now - (age + 1) * 86_400)
    with fake.client() as asc:
        month = datetime.timedelta(days=30)
        plan = asc.builds.plan_expiry(bundle_id="com.example.app", older_than=month, keep_latest=5)
        asc.builds.expire_many(plan.ids)
        before = len(fake.requests)
        again = asc.builds.plan_expiry(bundle_id="com.example.app", older_than=month, keep_latest=5)
        asc.builds.expire_many(again.ids)
    rows.append(
        RequestsRow(
            "plan_expiry + expire_many again, nothing left", *_counted(fake, before), "about 2"
        )
    )
    return rows


def _wait_row(minutes: int, flat: int) -> RequestsRow:
    fake, clock = _fake()
    build = fake.add_build(app_id="6443000001", processing_state="PROCESSING")
    valid_at = clock.now() + minutes * MINUTE

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if clock.now() >= valid_at:
            fake.set_processing_state(build.id, "VALID")

    with fake.client(sleep=sleep) as asc:
        asc.builds.wait_until_processed(build.id)
    late = clock.now() - valid_at
    return RequestsRow(
        f"wait_until_processed, VALID after {minutes} min (seen {late:.0f} s later)",
        *_counted(fake, 0),
        f"{flat} (a flat minute)",
    )


def _wait_rows() -> list[RequestsRow]:
    return [_wait_row(minutes, flat) for minutes, flat in ((2, 3), (10, 11), (30, 31))]


def _declaration_rows() -> list[RequestsRow]:
    rows: list[RequestsRow] = []
    fake, _ = _fake()
    declaration = fake.add_encryption_declaration(app_id="6443000001")
    held = fake.add_build(app_id="6443000001", encryption_declaration_id=declaration.id)
    fresh = fake.add_build(app_id="6443000001", version="77")
    with fake.client() as asc:
        asc.builds.apply(held.id, encryption_declaration_id=declaration.id)
        rows.append(RequestsRow("apply with a declaration, already held", *_counted(fake, 0), "1"))
        include = ("preReleaseVersion", "appEncryptionDeclaration")
        current = asc.builds.find(app_id="6443000001", build_number="77", include=include)
        before = len(fake.requests)
        asc.builds.apply(fresh.id, encryption_declaration_id=declaration.id, current=current)
        rows.append(
            RequestsRow(
                "apply(..., current=build found by app) with a declaration",
                *_counted(fake, before),
                "2",
            )
        )
    fake, _ = _fake()
    for number in range(5000):
        fake.add_build(app_id="6443000001", version=str(number))
    with fake.client() as asc:
        asc.builds.find(bundle_id="com.example.app", build_number="4321")
    rows.append(RequestsRow("find a build among 5,000 by bundle id", *_counted(fake, 0), "2"))
    return rows


def _bytes_per_id(count: int) -> float:
    fake, _ = _fake()
    ids = [fake.add_build(app_id="6443000001").id for _ in range(count)]
    with fake.client() as asc:
        gc.collect()
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        outcomes = asc.builds.expire_many(ids)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(outcomes) == count
    return (peak - start) / count


def measure_requests(*, memory_ids: int = 5000) -> RequestsResult:
    rows = [*_expiry_rows(), *_wait_rows(), *_declaration_rows()]
    return RequestsResult(rows, _bytes_per_id(memory_ids), memory_ids)


def render_requests(result: RequestsResult) -> str:
    rows = [[row.job, f"{row.requests:,}", f"{row.patches:,}", row.minimum] for row in result.rows]
    table = markdown_table(["job", "requests", "of which PATCH", "careful minimum"], rows)
    return (
        f"### {SECTION_TITLES['requests']}\n\n{table}\n\n"
        "In-process against the fake App Store Connect on a manual clock; the default "
        "schedule's jitter draws are random.\n\n"
        f"Memory: `expire_many` of {result.ids_for_memory:,} ids peaks at "
        f"{result.bytes_per_id:,.0f} bytes per id (tracemalloc, the fake included).\n"
    )
