"""Answers that cannot be trusted, on 127.0.0.1: reads, listings, waits, the budget, the
declaration check. Each call ends typed, in bounded time, and sends nothing it must not.

Each case runs the sync client, the async client and (where a command does the same) the
command line with --json, each mode in its own fresh process (tests/hostile/_driver.py)
against its own real socket server. Asserted for each: the outcome's type, an upper bound
on the elapsed time, and the requests the server saw (how many reads, how many PATCHes).
Before these guards, on a loopback server: two pages linking to each other were read
forever, a page of /v1/apps was read as builds, `links.next` as a number raised a raw
AttributeError, deep JSON in a read raised RecursionError, `get` returned another build as
the one asked for, a 409 whose re-read showed another (expired) build was reported as
"already", an undocumented declaration state or missing app linkage let the PATCH go, a
`user-hour-lim:0` header stopped the client for good, and a 1.5 s burst of 503s or one 429
ended a 30-minute wait.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from asc_builds._paging import MAX_PAGES

from ._answers import (
    APP_ID,
    BUNDLE_ID,
    DECLARATION_ID,
    DEEP_JSON,
    Handler,
    Reply,
    app,
    build,
    declaration,
    document,
    error_document,
    origin,
    page,
    query,
    routed,
)
from ._server import HostileServer, Seen

DRIVER = Path(__file__).with_name("_driver.py")
BUILD_ID = "b-0001"
MODES = ("sync", "async", "cli")
SUBPROCESS_TIMEOUT = 240
LIST = ["list", "--app-id", APP_ID]
WAIT = ["wait", BUILD_ID, "--timeout", "20s", "--max-retries", "0"]
ASSIGN = ["assign-declaration", BUILD_ID, DECLARATION_ID]


# -- servers ---------------------------------------------------------------------------------


def _build_id(request: Seen) -> str:
    return request.path.split("?", 1)[0].rsplit("/", 1)[-1]


def _is_listing(request: Seen) -> bool:
    return request.path.split("?", 1)[0] == "/v1/builds"


def _pages(links: Callable[[Seen, int], object]) -> Callable[[str], Handler]:
    """Builds listed one per page, page number `index` linking to `links(request, index)`;
    /v1/apps answers with the app (for `--bundle-id`)."""

    def make(target: str) -> Handler:
        def handler(request: Seen, index: int) -> Reply:
            if request.path.startswith("/v1/apps"):
                return Reply(body=page([app(APP_ID, BUNDLE_ID)]))
            return Reply(body=page([build(f"b-{index:04d}")], links(request, index)))

        return handler

    return make


def _cursor(name: str) -> Callable[[Seen, int], str]:
    return lambda request, index: f"{origin(request)}/v1/builds?cursor={name}"


def _cycle(request: Seen, index: int) -> str:
    # The first page leads to A, A to B, and B back to A.
    after = {"A": "B", "B": "A"}.get(query(request).get("cursor", [""])[0], "A")
    return _cursor(after)(request, index)


def _answer(reply: Callable[[Seen, int], Reply]) -> Callable[[str], Handler]:
    return lambda target: reply


def _fixed(body: bytes | dict[str, Any], status: int = 200) -> Callable[[str], Handler]:
    return _answer(lambda request, index: Reply(status, body))


def _conflict_then(reread: bytes | dict[str, Any]) -> Callable[[str], Handler]:
    """PATCH: 409; the re-read of the build: `reread`. A listing by id (a batch may read
    its builds first) shows each build as not expired."""

    def reply(request: Seen, index: int) -> Reply:
        if request.method == "PATCH":
            return Reply(409, error_document(409, "ENTITY_ERROR.ATTRIBUTE.INVALID"))
        if _is_listing(request):
            ids = query(request).get("filter[id]", [BUILD_ID])[0].split(",")
            return Reply(body=page([build(build_id) for build_id in ids]))
        return Reply(body=reread)

    return _answer(reply)


def _declaration_check(
    answer: dict[str, Any], *, build_app: str | None = APP_ID
) -> Callable[[str], Handler]:
    """The declaration read answers `answer`; the build read names `build_app`; a PATCH
    (which must not come) would succeed."""

    def reply(request: Seen, index: int) -> Reply:
        if request.path.startswith("/v1/appEncryptionDeclarations/"):
            return Reply(body=answer)
        if request.method == "PATCH":
            return Reply(body=document(build(BUILD_ID, declaration_id=DECLARATION_ID)))
        return Reply(body=document(build(_build_id(request), app_id=build_app)))

    return _answer(reply)


def _budget(header: str, pages: int = 3) -> Callable[[str], Handler]:
    def reply(request: Seen, index: int) -> Reply:
        next_url = f"{origin(request)}/v1/builds?cursor={index + 1}" if index + 1 < pages else None
        return Reply(body=page([build(f"b-{index}")], next_url), headers={"X-Rate-Limit": header})

    return _answer(reply)


def _wait_through(fault: Callable[[float, int], Reply | None]) -> Callable[[str], Handler]:
    """Polls of one build: `fault(seconds since the first request, index)` answers, or
    (None) the build is VALID."""

    def make(target: str) -> Handler:
        first: list[float] = []

        def handler(request: Seen, index: int) -> Reply:
            first.append(request.at)
            reply = fault(request.at - first[0], index)
            return reply or Reply(body=document(build(BUILD_ID, state="VALID")))

        return handler

    return make


def _processing(seconds: float, index: int) -> Reply:
    # Two quick polls that see PROCESSING, then every answer held back for a minute.
    return Reply(body=document(build(BUILD_ID, state="PROCESSING")), delay=0 if index < 2 else 60)


def _find(*apps: tuple[dict[str, Any], list[dict[str, Any]]]) -> Callable[[str], Handler]:
    """apps.find sees a near match on the first page, then `apps`; builds: one page."""

    def reply(request: Seen, index: int) -> Reply:
        if request.path.startswith("/v1/apps"):
            if "cursor" not in query(request):
                near = app("6400000001", f"{BUNDLE_ID}.widget")
                return Reply(body=page([near], f"{origin(request)}/v1/apps?cursor=2"))
            return Reply(body=page(list(apps)))
        return Reply(body=page([build(BUILD_ID)]))

    return _answer(reply)


def _foreign(target: str) -> Handler:
    def handler(request: Seen, index: int) -> Reply:
        return Reply(body=page([build(BUILD_ID)], f"{target}/v1/builds?cursor=2"))

    return handler


# -- cases -----------------------------------------------------------------------------------


@dataclass
class Case:
    handler: Callable[[str], Handler]
    action: str
    outcome: str
    max_elapsed: float
    # The command line (after --base-url, --json added); None where no command does this.
    cli: list[str] | None
    message: str = ""
    # Requests other than PATCH the server saw (None: not asserted), and PATCHes.
    reads: int | None = None
    patches: int = 0
    cli_reads: int | None = None
    cli_max_elapsed: float | None = None
    min_elapsed: float = 0.0
    result: Any = None
    cause: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    # A second server: where a foreign `links.next` points. It must see no request.
    target: bool = False


ENDLESS = _pages(lambda request, index: _cursor(str(index + 1))(request, index))
# Reads not counted: `expire` on the command line is a batch, which may read its builds
# before it sends anything.
ANY = -1
FAST_POLLS = {"max_retries": 0, "poll": 0.2}
# The command line polls on its default schedule: a missed first poll is followed by one
# 15 s later, +-10% jitter; the bound leaves room for the slowest draw on a busy machine.
CLI_WAIT_BOUND = 15 * 1.1 + 3
CONFLICT = {"ConflictError", "failed"}
REFUSED = "DeclarationRefusedError"
INVALID = "ResponseValidationError"

CASES: dict[str, Case] = {
    # Listings: bounded whatever `links.next` says.
    "pages A->B->A": Case(_pages(_cycle), "list", INVALID, 10, LIST, "already read", reads=3),
    "pages A->B->A, plan": Case(_pages(_cycle), "plan", INVALID, 10, None, "already read", reads=3),
    "endless pages": Case(
        ENDLESS, "list", INVALID, 45, LIST, f"more than {MAX_PAGES:,} pages", reads=MAX_PAGES
    ),
    "endless pages, plan": Case(
        ENDLESS,
        "plan",
        INVALID,
        45,
        ["expire", "--bundle-id", BUNDLE_ID, "--older-than", "1d", "--dry-run"],
        f"more than {MAX_PAGES:,} pages",
        reads=MAX_PAGES,
        cli_reads=MAX_PAGES + 1,
    ),
    "next on another host": Case(
        _foreign, "list", INVALID, 10, LIST, "outside", reads=1, target=True
    ),
    "next to /v1/apps": Case(
        _pages(lambda request, index: f"{origin(request)}/v1/apps?cursor=2"),
        "list",
        INVALID,
        10,
        LIST,
        "'/v1/apps'",
        reads=1,
    ),
    "next is a number": Case(
        _pages(lambda request, index: 42), "list", INVALID, 10, LIST, "JSON int", reads=1
    ),
    "find: the exact app on page 2": Case(
        _find(app(APP_ID, BUNDLE_ID)),
        "find",
        "ok",
        10,
        ["list", "--bundle-id", BUNDLE_ID],
        reads=2,
        cli_reads=3,
        result=APP_ID,
    ),
    "find: two exact apps": Case(
        _find(app(APP_ID, BUNDLE_ID), app("6400000002", BUNDLE_ID)),
        "find",
        "AmbiguousAppError",
        10,
        ["list", "--bundle-id", BUNDLE_ID],
        reads=2,
    ),
    # Identity: every read is of the resource asked for.
    "get: another build": Case(
        _fixed(document(build("b-other"))),
        "get",
        INVALID,
        10,
        ["get", BUILD_ID],
        "'b-other'",
        reads=1,
    ),
    "get: an app": Case(
        _fixed(document(app(BUILD_ID, BUNDLE_ID))),
        "get",
        INVALID,
        10,
        ["get", BUILD_ID],
        "'apps'",
        reads=1,
    ),
    "list: items of another type": Case(
        _fixed(page([app(APP_ID, BUNDLE_ID)])), "list", INVALID, 10, LIST, "'apps'", reads=1
    ),
    "409, re-read shows another build": Case(
        _conflict_then(document(build("b-other", expired=True))),
        "expire",
        "ConflictError",
        10,
        ["expire", BUILD_ID],
        reads=1,
        patches=1,
        cli_reads=ANY,
        cause=INVALID,
    ),
    "409 in a batch, re-read shows another build": Case(
        _conflict_then(document(build("b-other", expired=True))),
        "expire_many",
        "ok",
        10,
        None,
        patches=1,
        result=[[BUILD_ID, "failed", "ConflictError"]],
    ),
    "declaration read about another": Case(
        _declaration_check(declaration("decl-other")),
        "assign",
        REFUSED,
        10,
        ASSIGN,
        "nothing was sent",
    ),
    # Deep JSON in every read: typed, never RecursionError.
    "deep JSON: get": Case(
        _fixed(DEEP_JSON), "get", INVALID, 10, ["get", BUILD_ID], "nested deeper", reads=1
    ),
    "deep JSON: list": Case(_fixed(DEEP_JSON), "list", INVALID, 10, LIST, "nested deeper", reads=1),
    "deep JSON: re-read after 409": Case(
        _conflict_then(DEEP_JSON),
        "expire",
        "ConflictError",
        10,
        ["expire", BUILD_ID],
        reads=1,
        patches=1,
        cli_reads=ANY,
        cause=INVALID,
    ),
    "deep JSON in a batch's re-read": Case(
        _conflict_then(DEEP_JSON),
        "expire_many",
        "ok",
        10,
        None,
        patches=1,
        result=[[BUILD_ID, "failed", "ConflictError"]],
    ),
    # Budget headers that make no sense do not stop the client.
    "budget: limit 0": Case(
        _budget("user-hour-lim:0;user-hour-rem:0;"), "list", "ok", 10, LIST, reads=3, result=3
    ),
    "budget: remaining negative": Case(
        _budget("user-hour-lim:3600;user-hour-rem:-5;"),
        "list",
        "ok",
        10,
        LIST,
        reads=3,
        result=3,
    ),
    "budget: remaining above the limit": Case(
        _budget("user-hour-lim:100;user-hour-rem:500;"),
        "list",
        "ok",
        10,
        LIST,
        reads=3,
        result=3,
    ),
    "budget: reserve above the limit": Case(
        _budget("user-hour-lim:100;user-hour-rem:100;"),
        "list",
        "BudgetExhaustedError",
        5,
        None,
        "lower the reserve",
        reads=1,
        spec={"reserve": 200},
    ),
    # A wait outlasts passing faults, ends at once on a 404, and its timeout is hard.
    "wait: 1.5 s of 503s": Case(
        _wait_through(lambda seconds, index: Reply(503, b"{}") if seconds < 1.5 else None),
        "wait",
        "ok",
        8,
        WAIT,
        min_elapsed=1.5,
        result=BUILD_ID,
        spec=FAST_POLLS,
        cli_max_elapsed=CLI_WAIT_BOUND,
    ),
    "wait: one 429 with Retry-After": Case(
        _wait_through(
            lambda seconds, index: Reply(429, b"{}", {"Retry-After": "2"}) if index == 0 else None
        ),
        "wait",
        "ok",
        8,
        WAIT,
        min_elapsed=2,
        reads=2,
        result=BUILD_ID,
        spec=FAST_POLLS,
        cli_max_elapsed=CLI_WAIT_BOUND,
    ),
    "wait: dropped connections": Case(
        _wait_through(lambda seconds, index: Reply(drop=True) if seconds < 1.0 else None),
        "wait",
        "ok",
        8,
        WAIT,
        min_elapsed=1.0,
        result=BUILD_ID,
        spec=FAST_POLLS,
        cli_max_elapsed=CLI_WAIT_BOUND,
    ),
    "wait: 404 by id": Case(
        _fixed(error_document(404, "no such build"), 404),
        "wait",
        "NotFoundError",
        3,
        WAIT,
        reads=1,
        spec=FAST_POLLS,
    ),
    "wait: a poll slower than the time left": Case(
        _wait_through(_processing),
        "wait",
        "WaitTimeoutError",
        6.5,
        ["wait", BUILD_ID, "--timeout", "5s"],
        min_elapsed=5,
        spec={"timeout": 5, "poll": 1.0},
    ),
    # The declaration check fails closed.
    "declaration REVOKED": Case(
        _declaration_check(declaration(state="REVOKED")), "assign", REFUSED, 10, ASSIGN, "REVOKED"
    ),
    "declaration rejected, lower case": Case(
        _declaration_check(declaration(state="rejected")),
        "assign",
        REFUSED,
        10,
        ASSIGN,
        "rejected",
    ),
    "declaration with a null state": Case(
        _declaration_check(declaration(state=None)), "assign", REFUSED, 10, ASSIGN, "no state"
    ),
    "declaration without an app": Case(
        _declaration_check(declaration(app_id=None)),
        "assign",
        REFUSED,
        10,
        ASSIGN,
        "which app",
    ),
    "build without an app": Case(
        _declaration_check(declaration(), build_app=None),
        "assign",
        REFUSED,
        10,
        ASSIGN,
        "does not say its app",
    ),
}


# -- running ---------------------------------------------------------------------------------


@dataclass
class Result:
    report: dict[str, Any]
    seen: list[tuple[str, str]]
    target_seen: int


def _spec(mode: str, base_url: str, case: Case) -> dict[str, Any]:
    spec: dict[str, Any] = {"mode": mode, "base_url": base_url, "build_id": BUILD_ID}
    if mode == "cli":
        assert case.cli is not None
        return {**spec, "cli_args": ["--json"], "argv": case.cli}
    return {
        **spec,
        "action": case.action,
        "app_id": APP_ID,
        "bundle_id": BUNDLE_ID,
        "declaration_id": DECLARATION_ID,
        "build_ids": [BUILD_ID],
        **case.spec,
    }


def run_driver(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    completed = subprocess.run(
        [sys.executable, str(DRIVER), json.dumps(specs)],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        env=dict(os.environ),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    reports = [json.loads(line) for line in completed.stdout.strip().splitlines()]
    assert len(reports) == len(specs), completed.stdout[-3000:]
    return reports


def _cli_outcome(report: dict[str, Any]) -> dict[str, Any]:
    """The first `error` line's name (exit 1), or "ok" (exit 0)."""
    assert "Traceback" not in report["err"], report["err"]
    lines = [json.loads(text) for text in report["out"].splitlines()]
    errors = [line["error"] for line in lines if line["kind"] == "error"]
    if not errors:
        assert report["exit"] == 0, report
        return {"outcome": "ok", "message": ""}
    assert report["exit"] == 1, report
    return {"outcome": errors[0]["name"], "message": errors[0]["message"]}


def _runs(case: Case, mode: str) -> bool:
    return mode != "cli" or case.cli is not None


def _run_mode(mode: str) -> dict[str, Result]:
    names = [name for name, case in CASES.items() if _runs(case, mode)]
    with contextlib.ExitStack() as stack:
        servers: dict[str, tuple[HostileServer, HostileServer | None]] = {}
        for name in names:
            case = CASES[name]
            target = (
                stack.enter_context(HostileServer(routed(_foreign("")))) if case.target else None
            )
            handler = case.handler("" if target is None else target.url)
            servers[name] = (stack.enter_context(HostileServer(routed(handler))), target)
        specs = [_spec(mode, servers[name][0].url, CASES[name]) for name in names]
        reports = run_driver(specs)
        results = {}
        for name, report in zip(names, reports, strict=True):
            if mode == "cli":
                report.update(_cli_outcome(report))
            server, target = servers[name]
            seen = [(seen.method, seen.path.split("?", 1)[0]) for seen in server.requests]
            results[name] = Result(report, seen, 0 if target is None else target.count())
        return results


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Result]]:
    """{case: {mode: Result}}; the three modes at once, each in its own process."""
    with ThreadPoolExecutor(max_workers=len(MODES)) as pool:
        by_mode = dict(zip(MODES, pool.map(_run_mode, MODES), strict=True))
    return {
        name: {mode: by_mode[mode][name] for mode in by_mode if name in by_mode[mode]}
        for name in CASES
    }


# The command line runs only the cases a command does.
RUNS = [(name, mode) for name, case in CASES.items() for mode in MODES if _runs(case, mode)]


@pytest.mark.parametrize(("name", "mode"), RUNS)
def test_untrusted_answer(name: str, mode: str, results: dict[str, dict[str, Result]]) -> None:
    case = CASES[name]
    result = results[name][mode]
    report = result.report
    assert report["outcome"] == case.outcome, report
    assert case.message in report["message"], report
    max_elapsed = (
        case.cli_max_elapsed if mode == "cli" and case.cli_max_elapsed else case.max_elapsed
    )
    assert case.min_elapsed <= report["elapsed"] < max_elapsed, report
    patches = [path for method, path in result.seen if method == "PATCH"]
    assert len(patches) == case.patches, result.seen
    reads = len(result.seen) - len(patches)
    expected_reads = case.cli_reads if mode == "cli" and case.cli_reads else case.reads
    if expected_reads is not None and expected_reads != ANY:
        assert reads == expected_reads, (report, result.seen[:10])
    assert result.target_seen == 0, report
    if mode != "cli":
        if case.result is not None:
            assert report["result"] == case.result, report
        if case.cause is not None:
            assert report["cause"] == case.cause, report
