"""Section 7: instructions per call, counted by valgrind's callgrind. Deterministic.

Wall-clock ratios on a shared machine move by about ±0.1x from run to run; the number of
instructions a call executes does not (within a fraction of a percent), so small changes
can be judged by it. One callgrind run of bench.instructions_worker counts every step
twice, with two call counts; per call is the difference over the difference in calls.
Only the client process runs under valgrind; the loopback server is the benchmark's own.
"""

from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .paths import module_command, subprocess_env

__all__ = ["InstructionsResult", "measure_instructions"]

_TIMEOUT = 3600.0
_SUMMARY = re.compile(r"^summary:\s*(\d+)\s*$", re.MULTILINE)
# libc functions the worker calls between steps, and nowhere else on its hot paths.
_CALLGRIND = [
    "valgrind",
    "--tool=callgrind",
    "--zero-before=getppid",
    "--dump-before=getpgrp",
    "--dump-instr=no",
    "--compress-strings=no",
]


@dataclass(frozen=True)
class InstructionsResult:
    # step name -> instructions per call; see bench.instructions_worker.STEPS
    per_call: dict[str, float] = field(default_factory=dict)
    calls: tuple[int, int] = (0, 0)
    valgrind: str | None = None
    skipped: str | None = None

    def extra(self, step: str, floor: str = "memory/floor") -> float:
        """Instructions per call above the floor's."""
        return self.per_call[step] - self.per_call[floor]


def _valgrind_version() -> str | None:
    if shutil.which("valgrind") is None:
        return None
    result = subprocess.run(
        ["valgrind", "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout.strip() or None


def _dumps(folder: Path) -> list[int]:
    # callgrind numbers its dumps <file>.1, <file>.2, ... in the order they happened.
    numbered = sorted(
        (int(path.suffix[1:]), path) for path in folder.iterdir() if path.suffix[1:].isdigit()
    )
    totals = []
    for _, path in numbered:
        match = _SUMMARY.search(path.read_text(encoding="utf-8", errors="replace"))
        if match is None:
            raise RuntimeError(f"no summary line in {path.name}")
        totals.append(int(match.group(1)))
    return totals


def measure_instructions(
    base_url: str, *, calls: tuple[int, int], warmup: int
) -> InstructionsResult:
    valgrind = _valgrind_version()
    if valgrind is None:
        return InstructionsResult(skipped="valgrind is not installed")
    first, second = calls
    if not 0 < first < second:
        raise ValueError("calls must be two increasing positive counts")
    # On x86-64 the worker switches counting on itself after set-up, which makes start-up
    # (about a billion instructions of imports) run several times faster.
    start_late = platform.machine() in ("x86_64", "AMD64")
    env = subprocess_env()
    env["PYTHONHASHSEED"] = "0"  # the same dict and set layouts in every run
    with tempfile.TemporaryDirectory(prefix="asc-builds-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        command = [
            *_CALLGRIND,
            *(["--instr-atstart=no"] if start_late else []),
            f"--callgrind-out-file={out}",
            *module_command(
                "bench.instructions_worker",
                *("--base-url", base_url),
                *("--calls", f"{first},{second}"),
                *("--warmup", str(warmup)),
                *(["--start-instrumentation"] if start_late else []),
            ),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT, env=env, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"callgrind run failed ({result.returncode}): {result.stderr[-2000:]}"
            )
        order = json.loads(result.stdout.strip().splitlines()[-1])
        totals = _dumps(Path(tmp))
    if len(totals) != len(order):
        return InstructionsResult(
            valgrind=valgrind,
            skipped=f"callgrind made {len(totals)} dumps for {len(order)} segments "
            "(the getppid/getpgrp markers were not seen)",
        )
    counted: dict[str, dict[int, int]] = {}
    for (name, count), total in zip(order, totals, strict=True):
        counted.setdefault(name, {})[count] = total
    per_call = {
        name: (by_count[second] - by_count[first]) / (second - first)
        for name, by_count in counted.items()
    }
    return InstructionsResult(per_call=per_call, calls=(first, second), valgrind=valgrind)
