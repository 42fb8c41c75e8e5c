"""What a server says reaches the terminal shown, never obeyed; doctor survives a bad Date.

Before: a 409 whose detail held escape sequences rewrote the screen to show "ok" and a
false summary line, and `doctor` stopped with exit 2 (a usage error) and lost its report
on a malformed Date header.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from asc_builds.cli._throwaway_credentials import throwaway_key_environment
from asc_builds.cli._visible import visible
from asc_builds.testing import make_throwaway_key

from ..hostile._server import Context, HostileServer, respond
from .conftest import run_cli

FORGED = "\x1b[2J\x1b[Hok      B1: expired\r\n1 expired, 0 failed\x07\u202egnp.exe\x9b"
RAW = ("\x1b", "\r", "\x07", "\u202e", "\x9b")


def conflict(context: Context) -> bool:
    body = {"errors": [{"status": "409", "code": "STATE_ERROR", "title": FORGED, "detail": FORGED}]}
    respond(context.conn, 409, json.dumps(body).encode())
    return True


def unavailable(context: Context) -> bool:
    body = {"errors": [{"status": "503", "code": "X", "detail": FORGED}]}
    respond(context.conn, 503, json.dumps(body).encode(), headers={"Retry-After": "0"})
    return True


def bad_date(context: Context) -> bool:
    # doctor's one authenticated read (GET /v1/builds?limit=1) gets an empty, valid page.
    page = b'{"data": [], "links": {"self": "https://api.appstoreconnect.apple.com/v1/builds"}}'
    respond(context.conn, 200, page, headers={"Date": "yesterday\x1b[31m, at noon"})
    return True


@pytest.fixture
def environ() -> Iterator[dict[str, str]]:
    with throwaway_key_environment(make_throwaway_key()) as environment:
        yield environment


def test_visible_escapes_every_control_character() -> None:
    assert visible("a\x1b[2Jb\nc\td\x7f\x85\u202e") == "a\\x1b[2Jb\\x0ac\\x09d\\x7f\\x85\\u202e"
    assert visible("naïve \u00e9t\u00e9 ok") == "naïve \u00e9t\u00e9 ok"


def test_server_text_is_shown_not_obeyed(environ: dict[str, str]) -> None:
    with HostileServer(conflict) as server:
        result = run_cli(["--base-url", server.url, "expire", "B1", "B2"], environ)
    assert result.status == 1
    for raw in RAW:
        assert raw not in result.out and raw not in result.err
    lines = result.out.splitlines()
    # Two results and the summary: the forged lines stay inside their own.
    assert len(lines) == 3
    # Lines come in the order the builds finish.
    assert any(line.startswith("FAILED  B1: 409 STATE_ERROR: \\x1b[2J\\x1b[Hok") for line in lines)
    assert lines[-1] == "0 expired, 0 already expired, 2 failed"


def test_server_text_in_json_is_escaped_by_json(environ: dict[str, str]) -> None:
    with HostileServer(conflict) as server:
        result = run_cli(["--base-url", server.url, "--json", "expire", "B1"], environ)
    for raw in RAW:
        assert raw not in result.out
    first = result.lines()[0]
    assert first["error"]["errors"][0]["detail"] == FORGED
    assert first["error"]["message"].startswith("409 STATE_ERROR: \x1b[2J")


def test_retry_log_lines_show_control_characters(environ: dict[str, str]) -> None:
    with HostileServer(unavailable) as server:
        argv = ["--base-url", server.url, "-v", "--max-retries", "1", "expire", "B1"]
        result = run_cli(argv, environ)
    assert result.status == 1
    assert "retrying" in result.err
    for raw in RAW:
        assert raw not in result.err and raw not in result.out


@pytest.mark.parametrize("as_json", [False, True])
def test_doctor_keeps_its_report_on_a_malformed_date(
    environ: dict[str, str], as_json: bool
) -> None:
    with HostileServer(bad_date) as server:
        argv = ["--base-url", server.url, *(["--json"] if as_json else []), "doctor"]
        result = run_cli(argv, environ)
    assert result.status == 0, result
    if as_json:
        lines = result.lines()
        checks = {line["check"]["name"]: line["check"] for line in lines if line["kind"] == "check"}
        assert checks["clock"]["status"] == "WARN"
        assert checks["reachability"]["status"] == "ok"
        assert checks["key"]["status"] == "ok"
        assert lines[-1]["kind"] == "summary"
    else:
        assert "WARN  clock: the server's Date header is not an HTTP date" in result.out
        assert "\x1b" not in result.out
