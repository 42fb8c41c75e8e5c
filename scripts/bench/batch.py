"""Section 3: expire a batch of builds; each configuration in a fresh process, rounds rotated.

The server waits `delay_ms` before each answer, so concurrency has something to overlap;
the ideal rate is `concurrency / delay`. Client and server CPU shares show who is the limit.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from dataclasses import dataclass

from .paths import module_command, subprocess_env
from .server_process import ServerHandle
from .stats import percentile

__all__ = ["BatchConfig", "BatchResult", "BatchRow", "batch_configs", "measure_batch"]

_WORKER_TIMEOUT = 900.0


@dataclass(frozen=True)
class BatchConfig:
    label: str
    mode: str
    concurrency: int


@dataclass(frozen=True)
class BatchRow:
    label: str
    concurrency: int
    builds_per_second: float
    p95_seconds: float
    vs_sequential: float
    of_ideal: float
    peak_rss_mib: float
    rss_growth_mib: float
    client_cpu_share: float
    server_cpu_share: float
    rounds: int


@dataclass(frozen=True)
class BatchResult:
    builds: int
    delay_ms: float
    rows: list[BatchRow]
    skipped: list[str]


def batch_configs(*, with_peer: bool) -> list[BatchConfig]:
    configs = [BatchConfig("asc-builds sync, a loop of expire()", "sequential", 1)]
    configs += [
        BatchConfig(f"asc-builds sync expire_many, concurrency {c}", "threads", c)
        for c in (1, 8, 32)
    ]
    configs += [
        BatchConfig(f"asc-builds async expire_many, concurrency {c}", "async", c)
        for c in (1, 8, 32)
    ]
    if with_peer:
        configs.append(BatchConfig("codemagic-cli-tools, a loop of modify()", "peer-sequential", 1))
    return configs


def _run_worker(server: ServerHandle, config: BatchConfig, builds: int) -> dict[str, float]:
    command = module_command(
        "bench.batch_worker",
        *("--base-url", server.base_url),
        *("--mode", config.mode),
        *("--concurrency", str(config.concurrency)),
        *("--count", str(builds)),
    )
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=_WORKER_TIMEOUT,
        env=subprocess_env(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"batch worker {config.label} failed:\n{result.stderr[-2000:]}")
    measured: dict[str, float] = json.loads(result.stdout)
    if measured["ok"] != builds:
        raise RuntimeError(f"{config.label}: {measured['ok']} of {builds} builds came back right")
    return measured


def measure_batch(
    server: ServerHandle, *, builds: int, rounds: int, delay_ms: float, with_peer: bool
) -> BatchResult:
    configs = batch_configs(with_peer=with_peer)
    runs: dict[str, list[dict[str, float]]] = {config.label: [] for config in configs}
    for number in range(rounds):
        shift = number % len(configs)
        for config in configs[shift:] + configs[:shift]:
            runs[config.label].append(_run_worker(server, config, builds))

    def rate(label: str) -> float:
        return builds / statistics.median(run["seconds"] for run in runs[label])

    sequential = rate(configs[0].label)
    rows = []
    for config in configs:
        measured = runs[config.label]
        seconds = [run["seconds"] for run in measured]
        ideal = config.concurrency / (delay_ms / 1000) if delay_ms > 0 else float("inf")
        rows.append(
            BatchRow(
                label=config.label,
                concurrency=config.concurrency,
                builds_per_second=rate(config.label),
                p95_seconds=percentile(seconds, 0.95),
                vs_sequential=rate(config.label) / sequential,
                of_ideal=rate(config.label) / ideal,
                peak_rss_mib=statistics.median(run["peak_rss_kib"] for run in measured) / 1024,
                rss_growth_mib=statistics.median(
                    run["peak_rss_kib"] - run["rss_before_kib"] for run in measured
                )
                / 1024,
                client_cpu_share=statistics.median(
                    run["client_cpu_seconds"] / run["seconds"] for run in measured
                ),
                server_cpu_share=statistics.median(
                    run["server_cpu_seconds"] / run["seconds"] for run in measured
                ),
                rounds=len(measured),
            )
        )
    skipped = [] if with_peer else ["codemagic-cli-tools: not installed"]
    return BatchResult(builds, delay_ms, rows, skipped)
