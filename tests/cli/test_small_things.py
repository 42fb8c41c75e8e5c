"""The small things a newcomer noticed: the id once, plurals, one time zone (UTC, marked),
kept builds of a plan counted by reason unless -v."""

from __future__ import annotations

import datetime

from asc_builds.cli._wait_report import WaitReporter
from asc_builds.jobs import WaitProgress

from .conftest import Served

BUNDLE_ID = "com.example.app"
DAY = 86_400.0


def _history(served: Served, count: int) -> list[str]:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    now = served.fake.now()
    return [
        served.fake.add_build(app_id=app.id, version=str(n), uploaded_at=now - (200 - n) * DAY).id
        for n in range(count)
    ]


def test_wait_progress_names_a_build_given_by_id_once() -> None:
    printed: list[str] = []
    reporter = WaitReporter(
        lambda _payload, text, _id: printed.append(text), describe="build X1", heartbeat=False
    )
    reporter(
        WaitProgress(build_id="X1", found=True, state="VALID", changed=True, polls=1, waited=0)
    )
    assert printed == ["[0m00s] build X1: VALID"]


def test_one_build_is_singular_and_times_are_utc(served: Served) -> None:
    (build_id,) = _history(served, 1)
    plan = served.cli("--dry-run", "expire", "--bundle-id", BUNDLE_ID, "--older-than", "90d")
    assert "plan: expire 1 build uploaded before" in plan.out, plan.out
    assert "1 builds" not in plan.out
    listing = served.cli("list", "--bundle-id", BUNDLE_ID)
    assert listing.err.strip() == "1 build"
    uploaded = datetime.datetime.fromtimestamp(
        served.fake.build(build_id).uploaded_at, datetime.UTC
    )
    row = listing.out.splitlines()[1]
    assert f"{uploaded:%Y-%m-%d %H:%M} UTC" in row
    assert "-0700" not in row and "-07:00" not in row


def test_kept_builds_are_counted_by_reason_unless_verbose(served: Served) -> None:
    _history(served, 40)
    argv = ("--dry-run", "expire", "--bundle-id", BUNDLE_ID, "--older-than", "180d",
            "--keep-latest", "5")  # fmt: skip
    brief = served.cli(*argv).out.splitlines()
    keeps = [line for line in brief if line.startswith("keep")]
    # 40 builds uploaded 200 to 161 days ago: the 5 latest kept, then 21 of 180 days or
    # more expired and 14 newer kept.
    assert keeps == [
        "keep    14 builds: newer than the cutoff",
        "keep    5 builds: one of the 5 latest",
    ]
    assert len([line for line in brief if line.startswith("expire ")]) == 21
    every = served.cli("-v", *argv).out.splitlines()
    assert len([line for line in every if line.startswith("keep ")]) == 19
