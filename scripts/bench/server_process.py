"""Starting the benchmark server in its own process, so its CPU is not the client's."""

from __future__ import annotations

import contextlib
import select
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx

from .paths import FIXTURE, module_command, subprocess_env

__all__ = ["ServerHandle", "running_server"]

_START_TIMEOUT = 20.0
_STOP_TIMEOUT = 5.0


class ServerHandle:
    """The base URL of a running server and its control endpoints."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def reset(self) -> None:
        httpx.post(f"{self.base_url}/__reset", timeout=5).raise_for_status()

    def stats(self) -> dict[str, Any]:
        response = httpx.get(f"{self.base_url}/__stats", timeout=5)
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats


def _read_port(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None
    # select() bounds the wait: a server that hangs before printing must not hang us.
    ready, _, _ = select.select([process.stdout], [], [], _START_TIMEOUT)
    line = process.stdout.readline().strip() if ready else ""
    if not line.startswith("PORT "):
        process.kill()
        _, stderr = process.communicate(timeout=_STOP_TIMEOUT)
        raise RuntimeError(f"benchmark server did not start: {line!r} {stderr.strip()}")
    return int(line.removeprefix("PORT "))


@contextlib.contextmanager
def running_server(*, delay_ms: float = 0.0, max_seconds: float = 3600.0) -> Iterator[ServerHandle]:
    """A server process on 127.0.0.1 for the duration of the block; always stopped after."""
    command = module_command(
        "bench.server",
        *("--fixture", str(FIXTURE)),
        *("--delay-ms", str(delay_ms)),
        *("--max-seconds", str(max_seconds)),
    )
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        handle = ServerHandle(f"http://127.0.0.1:{_read_port(process)}")
        handle.stats()  # the port is printed once the socket listens: this must answer
        yield handle
    finally:
        if process.poll() is None:
            # Closing stdin is the server's signal to stop; kill only if it does not.
            try:
                process.communicate(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate(timeout=_STOP_TIMEOUT)
        else:
            process.communicate(timeout=_STOP_TIMEOUT)
