"""A closed stdout (`asc-builds list | head -1`) ends a command quietly: no traceback, no
error line, the closed-pipe exit status (141), and a batch stops sending."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence

import pytest
from asc_builds.cli import EXIT_PIPE_CLOSED
from asc_builds.testing import Delay

from .conftest import Served

BUNDLE_ID = "com.example.app"


def _run_and_close_after(served: Served, argv: Sequence[str], lines: int, stdin: str = "") -> str:
    """Run the real command line, read `lines` lines of its stdout, close the pipe as
    `head` does; returns stderr after checking the exit status."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_builds", "--base-url", served.base_url, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **served.environ},
        start_new_session=True,
    )
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(stdin.encode())
        process.stdin.close()
        for _ in range(lines):
            assert process.stdout.readline(), "the command printed fewer lines than expected"
        process.stdout.close()
        assert process.stderr is not None
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == EXIT_PIPE_CLOSED == 141, err
        return err
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_list_into_a_closed_pipe_ends_quietly(served: Served, as_json: bool) -> None:
    # More than a pipe's buffer (64 KiB), so the command is still writing when it closes.
    served.fake.add_app_with_builds(BUNDLE_ID, builds=1000)
    argv = [*(["--json"] if as_json else []), "list", "--bundle-id", BUNDLE_ID]
    err = _run_and_close_after(served, argv, lines=1)
    assert err == "", "no traceback and no error line"


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_batch_into_a_closed_pipe_stops_sending(served: Served, as_json: bool) -> None:
    builds = [served.fake.add_build() for _ in range(200)]
    # Each answer takes 50 ms: the whole batch would take more than a second.
    served.fake.inject(Delay(0.05), times=len(builds))
    ids = "\n".join(build.id for build in builds)
    argv = [*(["--json"] if as_json else []), "expire", "-"]
    err = _run_and_close_after(served, argv, lines=3, stdin=ids)
    assert err == ""
    assert "nothing was sent" not in err
    patches = [request for request in served.fake.requests if request.method == "PATCH"]
    # The 3 read, the few printed into the pipe before it closed, the ones in flight.
    assert 3 <= len(patches) < 60, len(patches)
