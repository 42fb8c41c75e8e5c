"""Ctrl-C stops irreversible work: no request starts after it, and every id is accounted for.

Before: `with ThreadPoolExecutor` waited for every queued id, so with 300 ids, a 0.2 s
server and SIGINT after 1.5 s, 252 more PATCHes were sent after the signal, and the
command line exited 130 printing nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from asc_builds.testing import make_throwaway_key

from ..wrapper._support import builds_listing
from ._server import Context, HostileServer, build_document, respond

IDS = [f"build-{number:03d}" for number in range(300)]
CONCURRENCY = 8
SERVER_DELAY = 0.2


def slow_ok(context: Context) -> bool:
    if context.request.method == "GET":
        # The batch's read (`filter[id]`): every build listed, none expired yet.
        ids = parse_qs(urlsplit(context.request.path).query)["filter[id]"][0].split(",")
        respond(context.conn, 200, json.dumps(builds_listing(ids)).encode())
        return True
    context.stop.wait(SERVER_DELAY)
    build_id = context.request.path.rsplit("/", 1)[-1]
    respond(context.conn, 200, build_document(build_id))
    return True


def _patches(server: HostileServer) -> int:
    return sum(1 for request in list(server.requests) if request.method == "PATCH")


def _wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


@pytest.mark.parametrize("as_json", [True, False])
def test_sigint_stops_the_command_line_batch(as_json: bool) -> None:
    key = make_throwaway_key()
    environ = {
        **os.environ,
        "ASC_KEY_ID": key.key_id,
        "ASC_ISSUER_ID": key.issuer_id or "",
        "ASC_PRIVATE_KEY": key.private_key_pem,
    }
    with HostileServer(slow_ok) as server:
        argv = [sys.executable, "-m", "asc_builds", "--base-url", server.url]
        argv += ["--json"] if as_json else []
        argv += ["expire", *IDS, "--concurrency", str(CONCURRENCY)]
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ
        )
        try:
            _wait_for(lambda: _patches(server) >= 3 * CONCURRENCY, 60)
            process.send_signal(signal.SIGINT)
            seen_at_signal = _patches(server)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        seen = _patches(server)

    assert process.returncode == 130, err
    assert "Traceback" not in err
    # Requests already past the stop check when the signal came may still arrive: at
    # most one per thread. Before, nearly every remaining id was sent.
    assert seen - seen_at_signal <= CONCURRENCY, (seen_at_signal, seen)
    assert seen < len(IDS) // 2
    if as_json:
        lines = [json.loads(text) for text in out.splitlines()]
        *results, summary = lines
        assert summary["kind"] == "summary" and summary["ok"] is False
        assert sorted(line["id"] for line in results) == sorted(IDS)
        statuses = [_status(line) for line in results]
        assert summary["summary"] == {
            "total": len(IDS),
            "succeeded": seen,
            "failed": 0,
            "changed": seen,
            "already": 0,
            "not_attempted": len(IDS) - seen,
        }
    else:
        lines = out.splitlines()
        assert len(lines) == len(IDS) + 1
        tags = {"changed": "changed", "FAILED": "failed", "NOTSENT": "not attempted"}
        statuses = [tags[line.split()[0]] for line in lines[:-1]]
        assert sorted(line.split()[1].rstrip(":") for line in lines[:-1]) == IDS
        assert lines[-1] == (
            f"{seen} expired, 0 already expired, 0 failed, {len(IDS) - seen} not attempted"
        )
    # Every request the server saw was answered: each is "changed"; the rest were never sent.
    assert statuses.count("changed") == seen
    assert statuses.count("not attempted") == len(IDS) - seen


def _status(line: dict[str, Any]) -> str:
    if line["kind"] == "resource":
        return "changed"
    return "not attempted" if line["error"]["name"] == "NotAttemptedError" else "failed"
