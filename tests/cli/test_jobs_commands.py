"""The jobs on the command line: selectors, "already" on re-runs, stale expiry, wait."""

from __future__ import annotations

import argparse
import io

from asc_builds.cli._expire_stale import _confirmed
from asc_builds.cli._render import Renderer
from asc_builds.cli._wait_report import WaitReporter
from asc_builds.jobs import WaitProgress

from .conftest import Served

BUNDLE_ID = "com.example.cli"
DAY = 86_400.0


def _app(served: Served) -> str:
    return served.fake.add_app("6443000001", bundle_id=BUNDLE_ID).id


def _patches(served: Served) -> list[str]:
    return [request.path for request in served.fake.requests if request.method == "PATCH"]


def test_a_build_named_by_bundle_id_and_numbers(served: Served) -> None:
    app_id = _app(served)
    served.fake.add_build(app_id=app_id, version="344", marketing_version="2.1.0")
    build = served.fake.add_build(app_id=app_id, version="345", marketing_version="2.1.0")
    result = served.cli(
        "set-encryption",
        "--bundle-id",
        BUNDLE_ID,
        "--marketing-version",
        "2.1.0",
        "--build-number",
        "345",
        "--uses-non-exempt-encryption",
        "false",
    )
    assert result.status == 0, result.err
    assert _patches(served) == [f"/v1/builds/{build.id}"]
    assert served.fake.build(build.id).uses_non_exempt_encryption is False


def test_an_id_and_a_selector_together_or_neither_are_refused(served: Served) -> None:
    _app(served)
    both = served.cli("update", "b1", "--expire", "--bundle-id", BUNDLE_ID, "--build-number", "1")
    neither = served.cli("update", "--expire")
    no_number = served.cli("get", "--bundle-id", BUNDLE_ID)
    assert (both.status, neither.status, no_number.status) == (2, 2, 2)
    assert "not both" in both.err
    assert served.fake.requests == ()


def test_running_a_command_twice_says_already_and_exits_0(served: Served) -> None:
    build = served.fake.add_build()
    declaration = served.fake.add_encryption_declaration()
    commands = [
        ("expire", build.id),
        ("update", build.id, "--expire"),
    ]
    first = [served.cli(*argv) for argv in commands]
    again = [served.cli(*argv) for argv in commands]
    assert [result.status for result in (*first, *again)] == [0, 0, 0, 0]
    assert first[0].out.startswith("changed ")
    for result in (first[1], *again):
        assert result.out.startswith("already "), result.out
    assert again[0].out.splitlines()[-1] == "0 expired, 1 already expired, 0 failed"
    # An expired build keeps refusing other changes: that 409 stays an error.
    refused = served.cli("assign-declaration", build.id, declaration.id)
    assert refused.status == 1
    assert "409" in refused.err


def test_a_declaration_of_another_app_is_refused_before_sending(served: Served) -> None:
    served.fake.add_app("6443999999", bundle_id="com.example.other")
    declaration = served.fake.add_encryption_declaration(app_id="6443999999")
    build = served.fake.add_build()
    result = served.cli("assign-declaration", build.id, declaration.id)
    assert result.status == 1
    assert "belongs to app 6443999999" in result.err and "nothing was sent" in result.err
    assert _patches(served) == []
    opted_out = served.cli("assign-declaration", build.id, declaration.id, "--no-declaration-check")
    assert opted_out.status == 1
    assert len(_patches(served)) == 1


def _history(served: Served) -> tuple[str, list[str]]:
    app_id = _app(served)
    now = served.fake.now()
    ids = [
        served.fake.add_build(
            app_id=app_id, version=str(n), uploaded_at=now - (200 - n * 20) * DAY
        ).id
        for n in range(8)
    ]
    return app_id, ids


def test_stale_expiry_prints_the_plan_and_needs_yes_when_not_on_a_terminal(
    served: Served,
) -> None:
    _, ids = _history(served)
    argv = ("expire", "--bundle-id", BUNDLE_ID, "--older-than", "90d", "--keep-latest", "2")
    refused = served.cli(*argv)
    assert refused.status == 2
    assert "--yes" in refused.err
    # The plan: uploaded 200, 180, 160, 140, 120, 100 days ago are past 90 days; of the 8,
    # the 2 latest (60 and 80 days) are kept anyway.
    expire_lines = [line for line in refused.out.splitlines() if line.startswith("expire ")]
    assert [line.split()[1] for line in expire_lines] == ids[:6]
    assert _patches(served) == []

    dry = served.cli("--dry-run", *argv)
    assert dry.status == 0 and _patches(served) == []

    done = served.cli(*argv, "--yes")
    assert done.status == 0, done.err
    assert sorted(_patches(served)) == sorted(f"/v1/builds/{i}" for i in ids[:6])
    assert [served.fake.build(i).expired for i in ids] == [True] * 6 + [False] * 2
    again = served.cli(*argv, "--yes")
    assert again.status == 0
    assert "expire 0 builds" in again.out


def test_wait_for_a_processed_build_then_answer_export_compliance(served: Served) -> None:
    _app(served)
    build = served.fake.add_build(version="12", marketing_version="3.0")
    result = served.cli(
        "wait",
        "--bundle-id",
        BUNDLE_ID,
        "--marketing-version",
        "3.0",
        "--build-number",
        "12",
        "--uses-non-exempt-encryption",
        "false",
    )
    assert result.status == 0, result.err
    assert f"build {build.id}: VALID" in result.err
    assert served.fake.build(build.id).uses_non_exempt_encryption is False


def test_wait_times_out_with_exit_1_and_says_the_last_state(served: Served) -> None:
    build = served.fake.add_build(processing_state="PROCESSING")
    result = served.cli("wait", build.id, "--timeout", "0.3s")
    assert result.status == 1
    assert "last processing state was PROCESSING" in result.err
    assert "PROCESSING" in result.err.splitlines()[0]


def test_wait_failed_processing_exits_1(served: Served) -> None:
    build = served.fake.add_build(processing_state="FAILED")
    result = served.cli("wait", build.id)
    assert result.status == 1
    assert "finished processing as FAILED" in result.err


def test_the_wait_reporter_prints_changes_and_a_heartbeat_a_minute() -> None:
    printed: list[str] = []
    reporter = WaitReporter(
        lambda payload, text, build_id: printed.append(text), describe="build 7", heartbeat=True
    )
    timeline = [
        (0, False, None),
        (30, False, None),
        (61, False, None),
        (90, True, "PROCESSING"),
        (140, True, "PROCESSING"),
        (151, True, "PROCESSING"),
        (200, True, "VALID"),
    ]
    previous: tuple[bool, str | None] | None = None
    for polls, (waited, found, state) in enumerate(timeline, start=1):
        reporter(
            WaitProgress(
                build_id="b" if found else None,
                found=found,
                state=state,
                changed=(found, state) != previous,
                polls=polls,
                waited=waited,
            )
        )
        previous = (found, state)
    assert printed == [
        "[0m00s] build 7: not listed yet",
        "[1m01s] still waiting for build 7 (not listed yet, 3 polls)",
        "[1m30s] build 7: build b: PROCESSING",
        "[2m31s] still waiting for build 7 (build b: PROCESSING, 6 polls)",
        "[3m20s] build 7: build b: VALID",
    ]
    quiet: list[str] = []
    on_terminal = WaitReporter(
        lambda payload, text, build_id: quiet.append(text), describe="b", heartbeat=False
    )
    on_terminal(WaitProgress(None, False, None, True, 1, 0.0))
    on_terminal(WaitProgress(None, False, None, False, 2, 120.0))
    assert len(quiet) == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_stale_expiry_asks_first() -> None:
    for answer, expected in (("y\n", True), ("yes\n", True), ("\n", False), ("n\n", False)):
        err = _Terminal()
        render = Renderer(out=io.StringIO(), err=err, as_json=False)
        args = argparse.Namespace(yes=False, stdin=_Terminal(answer))
        assert _confirmed(args, render, 6) is expected
        assert "Expire 6 builds? This cannot be undone. [y/N]" in err.getvalue()
    # --yes never asks.
    quiet = _Terminal()
    assert _confirmed(
        argparse.Namespace(yes=True, stdin=_Terminal("")),
        Renderer(out=io.StringIO(), err=quiet, as_json=False),
        6,
    )
    assert quiet.getvalue() == ""
