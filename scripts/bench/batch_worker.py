"""One batch configuration in a fresh process, so its peak memory is its own.

Run by `bench.batch`; prints one JSON object. Memory is the process's peak resident set,
read once after imports and a warm-up and once after the batch: Linux's `VmHWM` from
/proc/self/status. `resource.getrusage`'s `ru_maxrss` is only the fallback, because on Linux
it keeps the parent's peak across exec, so every child would report at least the
benchmark's own size. The server's CPU seconds are read just before and after the batch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
import uuid
from collections.abc import Callable, Sequence

import httpx
from asc_builds import AppStoreConnect, AsyncAppStoreConnect, BuildOutcome

from .keys import BenchKey, new_key
from .peer import make_peer_client, peer_log_folder

__all__ = ["MODES", "build_ids", "main", "run_batch"]

MODES = ("sequential", "threads", "async", "peer-sequential")
_WARMUP_CALLS = 20


def build_ids(count: int) -> list[str]:
    return [str(uuid.UUID(int=number + 1)) for number in range(count)]


def _peak_rss_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])  # "VmHWM:   71234 kB"
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _server_cpu(base_url: str) -> float:
    return float(httpx.get(f"{base_url}/__stats", timeout=5).json()["cpu_seconds"])


def _count_ok(outcomes: Sequence[BuildOutcome]) -> int:
    return sum(outcome.ok and outcome.unwrap().id == outcome.build_id for outcome in outcomes)


def _timed(base_url: str, batch: Callable[[], int]) -> dict[str, float]:
    rss_before = _peak_rss_kib()
    server_before = _server_cpu(base_url)
    cpu_before, started = time.process_time(), time.perf_counter()
    ok = batch()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    return {
        "ok": ok,
        "seconds": seconds,
        "client_cpu_seconds": cpu,
        "server_cpu_seconds": _server_cpu(base_url) - server_before,
        "rss_before_kib": rss_before,
        "peak_rss_kib": _peak_rss_kib(),
    }


def _sync(
    base_url: str, key: BenchKey, ids: list[str], *, concurrency: int | None
) -> dict[str, float]:
    with AppStoreConnect(key.api_key(), base_url=base_url) as client:
        for build_id in ids[:_WARMUP_CALLS]:
            client.builds.expire(build_id)

        def sequential() -> int:
            # The builds are kept, as expire_many keeps them: the memory columns compare.
            builds = [client.builds.expire(build_id) for build_id in ids]
            return sum(build.id == build_id for build, build_id in zip(builds, ids, strict=True))

        def threads() -> int:
            assert concurrency is not None
            return _count_ok(client.builds.expire_many(ids, concurrency=concurrency))

        return _timed(base_url, sequential if concurrency is None else threads)


def _async(base_url: str, key: BenchKey, ids: list[str], *, concurrency: int) -> dict[str, float]:
    # One loop for warm-up and batch, so the warm connection is the one the batch uses.
    loop = asyncio.new_event_loop()
    client = AsyncAppStoreConnect(key.api_key(), base_url=base_url)
    try:
        for build_id in ids[:_WARMUP_CALLS]:
            loop.run_until_complete(client.builds.expire(build_id))

        def batch() -> int:
            many = client.builds.expire_many(ids, concurrency=concurrency)
            return _count_ok(loop.run_until_complete(many))

        return _timed(base_url, batch)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()


def _peer(base_url: str, key: BenchKey, ids: list[str]) -> dict[str, float]:
    with peer_log_folder():
        client = make_peer_client(key, base_url)
        try:
            for build_id in ids[:_WARMUP_CALLS]:
                client.builds.modify(build_id, expired=True)

            def sequential() -> int:
                builds = [client.builds.modify(build_id, expired=True) for build_id in ids]
                return sum(
                    build.id == build_id for build, build_id in zip(builds, ids, strict=True)
                )

            return _timed(base_url, sequential)
        finally:
            client.session.close()


def run_batch(base_url: str, mode: str, concurrency: int, count: int) -> dict[str, float]:
    key, ids = new_key(), build_ids(count)
    if mode == "sequential":
        return _sync(base_url, key, ids, concurrency=None)
    if mode == "threads":
        return _sync(base_url, key, ids, concurrency=concurrency)
    if mode == "async":
        return _async(base_url, key, ids, concurrency=concurrency)
    if mode == "peer-sequential":
        return _peer(base_url, key, ids)
    raise ValueError(f"unknown mode {mode!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args(argv)
    if not args.base_url.startswith("http://127.0.0.1:"):
        parser.error("--base-url must be a loopback server")
    print(json.dumps(run_batch(args.base_url, args.mode, args.concurrency, args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
