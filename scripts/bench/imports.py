"""Section 4: how long `import` takes, each time in a fresh interpreter.

Only the import statement is timed (perf_counter around it, inside the child), so the
interpreter's own start-up is not counted. One untimed run first fills the bytecode caches.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from dataclasses import dataclass

from .paths import subprocess_env
from .stats import percentile

__all__ = ["IMPORTS", "ImportResult", "ImportRow", "measure_imports"]

_TIMEOUT = 120.0

# (label, statement); the first is the reference for ratios.
IMPORTS: list[tuple[str, str]] = [
    ("httpx", "import httpx"),
    # `import asc_builds` alone loads its names when first used (the command line's
    # start-up): what a user of the client pays is the client's import.
    ("asc_builds", "from asc_builds import AppStoreConnect"),
    ("codemagic-cli-tools client", "import codemagic.apple.app_store_connect"),
]

_PROBE = (
    "import time\n"
    "started = time.perf_counter()\n"
    "{statement}\n"
    "print(time.perf_counter() - started)\n"
)


@dataclass(frozen=True)
class ImportRow:
    label: str
    statement: str
    median_ms: float | None
    p95_ms: float | None
    ratio_to_httpx: float | None
    runs: int
    note: str = ""


@dataclass(frozen=True)
class ImportResult:
    rows: list[ImportRow]


def _time_once(statement: str) -> float | None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        env=subprocess_env(),
        check=False,
    )
    if result.returncode != 0:
        return None
    return float(result.stdout.strip())


def measure_imports(*, runs: int) -> ImportResult:
    available = {label: _time_once(statement) is not None for label, statement in IMPORTS}
    samples: dict[str, list[float]] = {label: [] for label, _ in IMPORTS}
    for number in range(runs):
        shift = number % len(IMPORTS)
        for label, statement in IMPORTS[shift:] + IMPORTS[:shift]:
            if available[label]:
                seconds = _time_once(statement)
                if seconds is None:
                    raise RuntimeError(f"{statement!r} failed after it had worked")
                samples[label].append(seconds * 1000)
    reference = statistics.median(samples[IMPORTS[0][0]])
    rows = []
    for label, statement in IMPORTS:
        values = samples[label]
        if not values:
            rows.append(ImportRow(label, statement, None, None, None, 0, "not installed"))
            continue
        median = statistics.median(values)
        rows.append(
            ImportRow(
                label, statement, median, percentile(values, 0.95), median / reference, len(values)
            )
        )
    return ImportResult(rows)
