"""Stoplight Prism serving the slice on loopback, in its own process group."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PRISM_DIR", "PrismUnavailable", "free_port", "install_prism", "running_prism"]

PRISM_DIR = Path(__file__).resolve().parent / "prism"
_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
_INSTALL_TIMEOUT_S = 300.0
_START_TIMEOUT_S = 30.0
_POLL_INTERVAL_S = 0.1


class PrismUnavailable(Exception):
    """Node or npm is not installed: a prerequisite, not a failure of the code under test."""


def install_prism() -> Path:
    """`npm ci` from the committed lockfile when node_modules is missing; return the binary."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise PrismUnavailable("node and npm are needed to run Stoplight Prism")
    if not _BIN.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(PRISM_DIR)],
            check=True,
            timeout=_INSTALL_TIMEOUT_S,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    return _BIN


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def running_prism(binary: Path, spec: Path, *, dynamic: bool, log: Path) -> Iterator[str]:
    """Yield the base URL of a Prism mock of `spec`; the whole process group is killed after."""
    port = free_port()
    command = [str(binary), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port)]
    if dynamic:
        command.append("--dynamic")
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + _START_TIMEOUT_S
            while not _accepting(port):
                if process.poll() is not None:
                    raise RuntimeError(f"prism exited with {process.returncode}: {log.read_text()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"prism did not listen within {_START_TIMEOUT_S} s")
                time.sleep(_POLL_INTERVAL_S)
            yield f"http://127.0.0.1:{port}"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
