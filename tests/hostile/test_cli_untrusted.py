"""The command line against untrusted answers on 127.0.0.1: SIGTERM during a batch, and
server text full of control characters in every line it prints.

Before: SIGTERM killed `asc-builds expire` at once with 143, leaving the PATCHes in flight
unreported, no "not attempted" lines and no summary; the `list` and `get` tables, the plan
lines of `expire --older-than` and the progress lines of `wait` printed the server's text
raw, so a server could clear the terminal or forge an `[ok]` line in a CI log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from asc_builds.testing import make_throwaway_key

from ._answers import (
    APP_ID,
    BUNDLE_ID,
    Handler,
    Reply,
    app,
    build,
    document,
    error_document,
    page,
    query,
    routed,
)
from ._server import HostileServer, Seen
from .test_untrusted_answers import run_driver

IDS = [f"build-{number:03d}" for number in range(300)]
CONCURRENCY = 8
SERVER_DELAY = 0.2


def _environ() -> dict[str, str]:
    key = make_throwaway_key()
    return {
        **os.environ,
        "ASC_KEY_ID": key.key_id,
        "ASC_ISSUER_ID": key.issuer_id or "",
        "ASC_PRIVATE_KEY": key.private_key_pem,
    }


def _slow_batch(request: Seen, index: int) -> Reply:
    """Every answer 0.2 s late; a PATCH expires its build; a listing by id (a batch may
    read its builds first) shows them not expired."""
    if request.path.split("?", 1)[0] == "/v1/builds":
        ids = query(request).get("filter[id]", [""])[0].split(",")
        return Reply(body=page([build(i) for i in ids if i]), delay=SERVER_DELAY)
    build_id = request.path.split("?", 1)[0].rsplit("/", 1)[-1]
    return Reply(body=document(build(build_id, expired=request.method == "PATCH")), delay=0.2)


def _wait_for(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


@pytest.mark.parametrize("as_json", [True, False])
def test_sigterm_stops_the_batch_and_reports_every_id(as_json: bool) -> None:
    with HostileServer(routed(_slow_batch)) as server:
        argv = [sys.executable, "-m", "asc_builds", "--base-url", server.url]
        argv += ["--json"] if as_json else []
        argv += ["expire", *IDS, "--concurrency", str(CONCURRENCY)]
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environ()
        )
        try:
            _wait_for(lambda: server.count() >= 3 * CONCURRENCY, 60)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
            ended = time.monotonic()
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        requests = list(server.requests)

    assert process.returncode == 143, err
    assert "Traceback" not in err
    # It ends once the requests in flight end their attempt, not after the batch.
    assert ended - signalled < 10
    # No request starts after the signal; those already started (one per thread) may
    # still arrive within moments of it.
    late = [seen for seen in requests if seen.at > signalled + 0.05]
    assert len(late) <= CONCURRENCY, [(seen.method, seen.path) for seen in late]
    patched = sum(seen.method == "PATCH" for seen in requests)
    assert patched < len(IDS) // 2
    if as_json:
        *lines, summary = [json.loads(text) for text in out.splitlines()]
        assert summary["kind"] == "summary" and summary["ok"] is False
        assert sorted(line["id"] for line in lines) == sorted(IDS)
        counts = summary["summary"]
        assert counts["total"] == len(IDS)
        assert counts["changed"] + counts["failed"] + counts["not_attempted"] == len(IDS)
        assert counts["changed"] <= patched
        assert counts["not_attempted"] >= len(IDS) - patched
    else:
        *lines, summary = out.splitlines()
        assert sorted(line.split()[1].rstrip(":") for line in lines) == IDS
        assert {line.split()[0] for line in lines} <= {"changed", "FAILED", "NOTSENT"}
        assert summary.endswith("not attempted"), summary


# -- control characters ------------------------------------------------------------------

# An escape sequence that clears the screen, a forged line, a BiDi override, a C1 control.
NASTY = "\x1b[2J\x1b]0;owned\x07\n[ok] forged\u202eevil\x9b31m"
OLD = "2020-01-01T00:00:00+00:00"
CONFLICTED, RETRIED, WAITED = "b-conflict", "b-retry", "b-wait"
# C0 controls but the newline that ends each line, DEL, C1, BiDi marks, overrides, isolates.
FORBIDDEN = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F]}
FORBIDDEN |= {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
FORBIDDEN.discard("\n")


def _nasty(build_id: str, **changes: Any) -> Any:
    return build(build_id, number=NASTY, marketing=NASTY, uploaded=OLD, **changes)


def _nasty_server() -> Handler:
    """Every string of every answer is NASTY; the PATCH of CONFLICTED is a 409 saying it;
    the PATCHes of RETRIED alternate a 429 saying it (Retry-After 5 s the first time, for
    a notice at default verbosity; 1 s after) and success."""
    retried = [0]

    def handler(request: Seen, index: int) -> Reply:
        path = request.path.split("?", 1)[0]
        if path.startswith("/v1/apps"):
            return Reply(body=page([app(APP_ID, BUNDLE_ID)]))
        ids = [i for i in query(request).get("filter[id]", [""])[0].split(",") if i]
        if path == "/v1/builds" and ids:
            # A batch's read of its builds: listed, not expired, so each PATCH goes out.
            return Reply(body=page([_nasty(i) for i in ids]))
        if path == "/v1/builds":
            return Reply(body=page([_nasty("b-1"), _nasty("b-2", state=NASTY)]))
        build_id = path.rsplit("/", 1)[-1]
        if request.method == "PATCH" and build_id == RETRIED:
            retried[0] += 1
            if retried[0] % 2:
                headers = {"Retry-After": "5" if retried[0] == 1 else "1"}
                return Reply(429, error_document(429, NASTY), headers)
        if request.method == "PATCH" and build_id == CONFLICTED:
            return Reply(409, error_document(409, NASTY))
        state = NASTY if build_id == WAITED else "VALID"
        return Reply(body=document(_nasty(build_id, state=state)))

    return handler


# Every command that prints a server's text, in text mode.
COMMANDS = {
    "get table": ["get", "b-1"],
    "list table": ["list", "--app-id", APP_ID],
    "plan lines": ["-v", "expire", "--bundle-id", BUNDLE_ID, "--older-than", "1d", "--dry-run"],
    "wait progress and timeout": ["wait", WAITED, "--timeout", "1s"],
    "wait's build": ["wait", "b-1"],
    "batch error": ["expire", CONFLICTED],
    "retry notice": ["expire", RETRIED, "--max-retries", "1"],
    "retry log": ["-v", "expire", RETRIED, "--max-retries", "1"],
}


def test_no_control_character_reaches_the_terminal() -> None:
    with HostileServer(routed(_nasty_server())) as server:
        specs = [
            {"mode": "cli", "base_url": server.url, "build_id": "", "argv": argv}
            for argv in COMMANDS.values()
        ]
        reports = run_driver(specs)
    for name, report in zip(COMMANDS, reports, strict=True):
        shown = report["out"] + report["err"]
        assert "Traceback" not in shown, (name, shown)
        assert not FORBIDDEN & set(shown), (name, shown)
        # The server's text was printed, escaped: not dropped.
        assert "\\x1b[2J" in shown and "\\u202e" in shown, (name, shown)
        assert report["elapsed"] < 15, (name, report)
