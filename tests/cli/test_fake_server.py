"""`asc-builds fake-server` covers the whole workflow: its PROCESSING build becomes VALID so
that `wait` succeeds, `--hourly-limit` sets the budget it announces, it stays quiet when
clients hang up, and SIGTERM removes its throwaway key as Ctrl-C does."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import run_cli


@contextlib.contextmanager
def _fake_server(*options: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_builds", "--json", "fake-server", "--builds", "3", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = json.loads(process.stdout.readline())
        assert line["kind"] == "server"
        yield process, line["server"]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _hang_up_abruptly(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"GET /v1/builds HTTP/1.1\r\nHost: x\r\n")
        # SO_LINGER 0: close with a reset, as a killed client does.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.fixture
def fake_server() -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    with _fake_server("--processing-seconds", "1") as started:
        yield started


def test_wait_succeeds_against_the_fake_server_and_sigterm_cleans_up(
    fake_server: tuple[subprocess.Popen[str], dict[str, Any]],
) -> None:
    process, server = fake_server
    environ = dict(server["environment"])
    base = ["--base-url", server["base_url"]]
    newest = server["build_ids"][-1]
    before = run_cli([*base, "get", newest], environ)
    assert "PROCESSING" in before.out
    waited = run_cli([*base, "wait", newest, "--timeout", "20s"], environ)
    assert waited.status == 0, waited.err
    assert "processingState=VALID" in waited.out

    for _ in range(3):
        _hang_up_abruptly(server["base_url"])
    key_path = Path(environ["ASC_PRIVATE_KEY_PATH"])
    assert key_path.exists()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 130
    assert not key_path.exists(), "the throwaway key is removed on SIGTERM"
    assert process.stderr is not None
    assert process.stderr.read() == "", "quiet: no traceback for clients that hung up"


def test_the_hourly_limit_is_the_budget_the_fake_server_announces_and_keeps() -> None:
    with _fake_server("--hourly-limit", "5") as (_, server):
        answers = [httpx.get(f"{server['base_url']}/v1/builds", timeout=10) for _ in range(6)]
    assert answers[0].headers["X-Rate-Limit"] == "user-hour-lim:5;user-hour-rem:4;"
    statuses = [answer.status_code for answer in answers]
    assert statuses == [401] * 5 + [429], "the sixth request in the hour is refused"
