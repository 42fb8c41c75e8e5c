"""Section 7: list an app's builds over the fake App Store Connect server on loopback.

The server is `asc-builds fake-server` (the SDK's own fake, over HTTP on 127.0.0.1, in
its own process) seeded with one app of `builds` builds. Each run is a fresh process
(`bench.listing_worker`) that iterates the builds page by page without keeping them:
time per build against httpx following the same `links.next` by hand, and how far the
iteration raised the peak resident set, at a tenth of the builds and at all of them.
Flat memory means the second figure is no larger than the first.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from asc_builds import MAX_PAGE_SIZE

from .paths import module_command, subprocess_env
from .stats import ratio

__all__ = ["ListingResult", "ListingRow", "measure_listing"]

_WORKER_TIMEOUT = 1800.0
LABELS = {
    "raw": "raw httpx, links.next by hand (the floor)",
    "sync": "asc-builds sync builds.list()",
    "async": "asc-builds async builds.list()",
}


@dataclass(frozen=True)
class ListingRow:
    label: str
    builds: int
    median_seconds: float
    us_per_build: float
    ratio_to_raw: float
    rss_growth_small_mib: float
    rss_growth_full_mib: float
    rounds: int


@dataclass(frozen=True)
class ListingResult:
    builds: int
    small: int
    rows: list[ListingRow]


@contextmanager
def _fake_server(builds: int) -> Iterator[dict[str, Any]]:
    command = module_command("asc_builds", "--json", "fake-server", "--builds", str(builds))
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=subprocess_env(),
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        # `--json` prints one JSON line, `{"kind": "server", ..., "server": {...}}`; the
        # readline is bounded by the server's start-up (seeding) and the worker timeout.
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"fake-server exited with {process.poll()}")
        served: dict[str, Any] = json.loads(line)["server"]
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _run_worker(served: dict[str, Any], mode: str, count: int) -> dict[str, float]:
    env = {**subprocess_env(), **served["environment"]}
    command = module_command(
        "bench.listing_worker",
        *("--base-url", served["base_url"]),
        *("--mode", mode),
        *("--app-id", served["app_id"]),
        *("--count", str(count)),
    )
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=_WORKER_TIMEOUT, env=env, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"listing worker {mode} failed:\n{result.stderr[-2000:]}")
    measured: dict[str, float] = json.loads(result.stdout)
    if measured["seen"] != count:
        raise RuntimeError(f"listing {mode}: {measured['seen']} of {count} builds came back")
    return measured


def measure_listing(*, builds: int, rounds: int) -> ListingResult:
    # At least two full pages, so both figures include a page in memory.
    small = min(builds, max(2 * MAX_PAGE_SIZE, builds // 10))
    modes = list(LABELS)
    full: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    partial: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    with _fake_server(builds) as served:
        for number in range(rounds):
            shift = number % len(modes)
            for mode in modes[shift:] + modes[:shift]:
                full[mode].append(_run_worker(served, mode, builds))
                partial[mode].append(_run_worker(served, mode, small))

    def growth(runs: list[dict[str, float]]) -> float:
        return statistics.median(r["peak_rss_kib"] - r["rss_before_kib"] for r in runs) / 1024

    raw_seconds = statistics.median(r["seconds"] for r in full["raw"])
    rows = []
    for mode in modes:
        seconds = statistics.median(r["seconds"] for r in full[mode])
        rows.append(
            ListingRow(
                label=LABELS[mode],
                builds=builds,
                median_seconds=seconds,
                us_per_build=seconds / builds * 1e6,
                ratio_to_raw=ratio(seconds, raw_seconds),
                rss_growth_small_mib=growth(partial[mode]),
                rss_growth_full_mib=growth(full[mode]),
                rounds=len(full[mode]),
            )
        )
    return ListingResult(builds=builds, small=small, rows=rows)
