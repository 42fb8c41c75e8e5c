"""Hostile servers on 127.0.0.1: every call ends in bounded time and memory, typed.

Each case runs the sync client, the async client and the command line, each in a fresh
process (tests/hostile/_driver.py), against a real socket server (tests/hostile/_server.py).
Asserted for each: the outcome's type, an upper bound on the elapsed time, an upper bound
on the process's peak memory above a plain successful call, and how many requests the
server saw. Before these guards: the trickles hung forever, the 1 GiB gzip bomb took the
client to 2.1 GB (4.2 GB as a retried 500), the deep JSON raised RecursionError, the
wrong builds were returned as success and the redirects were followed.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ._server import (
    Behaviour,
    Context,
    HostileServer,
    Seen,
    build_document,
    gzip_bomb,
    respond,
    self_signed_certificate,
    trickle,
)

DRIVER = Path(__file__).with_name("_driver.py")
BUILD_ID = "932eff64-a144-4350-8d10-9e54d5834aee"
MODES = ("sync", "async", "cli")
# Short deadlines so that the trickles end quickly (the defaults are 60 s and 180 s), with
# room for exactly one retry: a second attempt ends at 3.5 s, and no third can start.
ATTEMPT_TIMEOUT, CALL_TIMEOUT = 1.5, 4.0
# Above a plain successful call's peak; the default body limit is 8 MiB.
MEMORY_MARGIN_KIB = 64 * 1024
SUBPROCESS_TIMEOUT = 120


def ok(context: Context) -> bool:
    respond(context.conn, 200, build_document(BUILD_ID))
    return True


def trickled_body(context: Context) -> bool:
    context.conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    )
    trickle(context, itertools.repeat(b" ", 200), interval=0.3, limit=30)
    return False


def trickled_headers(context: Context) -> bool:
    header = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200
    trickle(context, (header[i : i + 1] for i in range(len(header))), interval=0.3, limit=30)
    return False


def bomb(status: int) -> Behaviour:
    def behaviour(context: Context) -> bool:
        headers = {"Content-Encoding": "gzip"}
        respond(context.conn, status, gzip_bomb(), headers=headers)
        return True

    return behaviour


def endless_error_body(context: Context) -> bool:
    size = 200 * 1024 * 1024
    head = f"HTTP/1.1 409 Conflict\r\nContent-Type: text/plain\r\nContent-Length: {size}\r\n\r\n"
    context.conn.sendall(head.encode())
    block = b"x" * 65536
    trickle(context, itertools.repeat(block, size // len(block)), interval=0, limit=30)
    return False


def deep_json(status: int) -> Behaviour:
    def behaviour(context: Context) -> bool:
        respond(context.conn, status, b"[" * 100_000 + b"]" * 100_000)
        return True

    return behaviour


def answer(**document: Any) -> Behaviour:
    def behaviour(context: Context) -> bool:
        respond(context.conn, 200, build_document(BUILD_ID, **document))
        return True

    return behaviour


def redirect(status: int, target: str) -> Behaviour:
    def behaviour(context: Context) -> bool:
        location = f"{target}/v1/builds/{BUILD_ID}"
        respond(context.conn, status, b"", headers={"Location": location})
        return True

    return behaviour


def _is_batch_read(request: Seen) -> bool:
    return request.method == "GET" and request.path.startswith("/v1/builds?")


def answering_batch_reads(behaviour: Behaviour) -> Behaviour:
    """The command line's `expire` reads its batch first (`GET /v1/builds?filter[id]=...`):
    answered with the build, not expired yet, so that the PATCH, where each case's hostile
    answer waits, is sent."""

    def wrapped(context: Context) -> bool:
        if _is_batch_read(context.request):
            page = {
                "data": [{"type": "builds", "id": BUILD_ID, "attributes": {"expired": False}}],
                "links": {"self": "https://api.appstoreconnect.apple.com/v1/builds"},
            }
            respond(context.conn, 200, json.dumps(page).encode())
            return True
        return behaviour(context)

    return wrapped


@dataclass
class Case:
    behaviour: Behaviour
    outcome: str
    requests: int
    max_elapsed: float
    message: str = ""
    # The command line has no option to shorten the attempt deadline: one attempt fills
    # its whole --timeout, so it makes fewer requests than the library.
    cli_requests: int | None = None
    # A redirect's target: a server that must see no request at all.
    target: bool = False
    tls: bool = False


CASES: dict[str, Case] = {
    "ok": Case(ok, "ok", 1, 10),
    "trickled body": Case(trickled_body, "APITimeoutError", 2, 10, "deadline", 1),
    "trickled headers": Case(trickled_headers, "APITimeoutError", 2, 10, "deadline", 1),
    "gzip bomb 200": Case(bomb(200), "UnverifiedChangeError", 1, 20, "8 MiB limit"),
    "gzip bomb 500, retried": Case(bomb(500), "ServerError", 3, 30, "8 MiB limit"),
    # Two requests: the PATCH, and the re-read that checks whether its 409 means "already".
    "200 MB error body": Case(endless_error_body, "ConflictError", 2, 20, "8 MiB limit"),
    "deep JSON 200": Case(deep_json(200), "UnverifiedChangeError", 1, 10, "nested deeper"),
    "deep JSON 500, retried": Case(deep_json(500), "ServerError", 3, 10, "nested deeper"),
    "another type": Case(answer(type_="apps"), "UnverifiedChangeError", 1, 10, "'apps'"),
    "another build": Case(answer(id_="another-build"), "UnverifiedChangeError", 1, 10),
    "an id that is no string": Case(answer(id_=42), "UnverifiedChangeError", 1, 10),
    # The library runs these with the caller's own httpx client, set to follow redirects.
    "302 elsewhere": Case(ok, "APIStatusError", 1, 10, "never followed", target=True),
    "307 from https to http": Case(
        ok, "APIStatusError", 1, 10, "never followed", target=True, tls=True
    ),
}


@dataclass
class Result:
    report: dict[str, Any]
    requests: int
    target_requests: int


def _run_driver(specs: list[dict[str, Any]], env: dict[str, str]) -> list[dict[str, Any]]:
    completed = subprocess.run(
        [sys.executable, str(DRIVER), json.dumps(specs)],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        env={**os.environ, **env},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    reports = [json.loads(line) for line in completed.stdout.strip().splitlines()]
    assert len(reports) == len(specs), completed.stdout[-3000:]
    for spec, report in zip(specs, reports, strict=True):
        if spec["mode"] == "cli":
            assert "Traceback" not in report["err"], report["err"]
            report.update(_cli_outcome(report))
    return reports


def _cli_outcome(report: dict[str, Any]) -> dict[str, Any]:
    # --json prints JSON Lines: the build's line (a resource or an error), then a summary.
    lines = [json.loads(text) for text in report["out"].splitlines()]
    entry = lines[0]
    if entry["kind"] == "resource":
        assert report["exit"] == 0
        return {"outcome": "ok", "message": ""}
    assert report["exit"] == 1, report
    return {"outcome": entry["error"]["name"], "message": entry["error"]["message"]}


def _spec(mode: str, base_url: str, case: Case, certificate: Path) -> dict[str, Any]:
    spec: dict[str, Any] = {"mode": mode, "base_url": base_url, "build_id": BUILD_ID}
    if mode == "cli":
        spec["cli_args"] = ["--json", "--request-timeout", str(CALL_TIMEOUT)]
    else:
        spec.update(attempt_timeout=ATTEMPT_TIMEOUT, call_timeout=CALL_TIMEOUT)
    if case.target:
        spec.update(http_client=True, verify=str(certificate))
    return spec


def _run_mode(mode: str, certificate: Path, key: Path) -> dict[str, Result]:
    """Every case for one mode: one server per case, then the calls in one process."""
    with contextlib.ExitStack() as stack:
        servers: dict[str, tuple[HostileServer, HostileServer | None]] = {}
        for name, case in CASES.items():
            target = stack.enter_context(HostileServer(ok)) if case.target else None
            behaviour = case.behaviour
            if target is not None:
                behaviour = redirect(307 if case.tls else 302, target.url)
            server = HostileServer(
                answering_batch_reads(behaviour), tls=(certificate, key) if case.tls else None
            )
            servers[name] = (stack.enter_context(server), target)
        specs = [
            _spec(mode, servers[name][0].url, case, certificate) for name, case in CASES.items()
        ]
        env = {"SSL_CERT_FILE": str(certificate)}
        reports = _run_driver(specs, env)
        if not all(report["peak_was_reset"] for report in reports):
            # No resettable peak here: one fresh process per call instead.
            reports = [_run_driver([spec], env)[0] for spec in specs]
        results = {}
        for name, report in zip(CASES, reports, strict=True):
            server, target = servers[name]
            seen_by_target = 0 if target is None else target.count()
            # The batch's read is the command line's alone: counted apart.
            seen = server.seen()
            reads = sum(1 for request in seen if _is_batch_read(request))
            assert reads == (1 if mode == "cli" else 0), [r.path for r in seen]
            results[name] = Result(report, len(seen) - reads, seen_by_target)
        return results


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Result]]:
    """{case: {mode: Result}}; the three modes run at once, each in its own process."""
    certificate, key = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    # Built once before any server answers: building it takes about a second, which would
    # otherwise count against the first call's deadline.
    gzip_bomb()
    with ThreadPoolExecutor(max_workers=len(MODES)) as pool:
        by_mode = dict(
            zip(MODES, pool.map(lambda mode: _run_mode(mode, certificate, key), MODES), strict=True)
        )
    return {name: {mode: by_mode[mode][name] for mode in MODES} for name in CASES}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_server(name: str, mode: str, results: dict[str, dict[str, Result]]) -> None:
    case, result = CASES[name], results[name][mode]
    report = result.report
    assert report["outcome"] == case.outcome, report
    assert case.message in report["message"], report
    assert report["elapsed"] < case.max_elapsed, report
    expected = case.cli_requests if mode == "cli" and case.cli_requests else case.requests
    assert result.requests == expected, report
    assert result.target_requests == 0, report
    baseline = results["ok"][mode].report["peak_kib"]
    assert report["peak_kib"] - baseline < MEMORY_MARGIN_KIB, report
