"""Section 5: regeneration from Apple's whole spec, against the generator run on all of it.

Ours: `scripts/regenerate.py --upstream` on a temporary copy of `openapi/`, `generated/`
and `scripts/` whose pinned slice is removed, so every step runs: slice, patch, generate,
format. The copy's output is compared with the committed one. The peer:
openapi-python-client on the unsliced spec, as a user would run it (its default ruff
post-hooks included); it may fail, and then its exit code and first error lines are kept.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .paths import ROOT
from .stats import percentile

__all__ = ["RegenResult", "RegenRow", "measure_regeneration"]

_COPIED = ("openapi", "generated", "scripts")
_IGNORED = shutil.ignore_patterns("__pycache__", ".mypy_cache", ".ruff_cache")
_PIPELINE_TIMEOUT = 900.0
_GENERATOR_TIMEOUT = 900.0
_EXIT_CHANGED = 3  # regenerate.py: slice, lock and generated/ were written


@dataclass(frozen=True)
class RegenRow:
    label: str
    spec: str
    median_s: float | None
    p95_s: float | None
    runs: int
    exit_code: int | None
    outcome: str
    files_written: int | None = None


@dataclass(frozen=True)
class RegenResult:
    rows: list[RegenRow] = field(default_factory=list)
    skipped: str | None = None


def _same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    stack = [comparison]
    while stack:
        current = stack.pop()
        if current.left_only or current.right_only or current.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        if mismatch or errors:
            return False
        stack.extend(current.subdirs.values())
    return True


def _pipeline_once(upstream: Path) -> tuple[float, int, bool, str]:
    with tempfile.TemporaryDirectory(prefix="bench-regen-") as folder:
        root = Path(folder)
        for name in _COPIED:
            shutil.copytree(ROOT / name, root / name, ignore=_IGNORED)
        # Without a pinned slice there is nothing to compare with, so the run does it all.
        (root / "openapi" / "slice.json").unlink()
        command = [
            sys.executable,
            str(root / "scripts" / "regenerate.py"),
            *("--upstream", str(upstream)),
            *("--root", str(root)),
        ]
        started = time.perf_counter()
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_PIPELINE_TIMEOUT, check=False
        )
        seconds = time.perf_counter() - started
        package = "generated/asc_builds_generated"
        same = result.returncode == _EXIT_CHANGED and _same_tree(root / package, ROOT / package)
        same = same and filecmp.cmp(
            root / "openapi" / "slice.json", ROOT / "openapi" / "slice.json", shallow=False
        )
        message = (result.stdout + result.stderr).strip().splitlines()
        return seconds, result.returncode, same, message[-1] if message else ""


def _pipeline(upstream: Path, runs: int) -> RegenRow:
    seconds, codes, identical, last = [], [], [], ""
    for _ in range(runs):
        took, code, same, last = _pipeline_once(upstream)
        seconds.append(took)
        codes.append(code)
        identical.append(same)
    ok = all(code == _EXIT_CHANGED for code in codes)
    if ok:
        verdict = "identical to" if all(identical) else "DIFFERENT from"
        outcome = f"slice and generated/ {verdict} the committed ones"
    else:
        outcome = f"failed: {last}"
    return RegenRow(
        label="asc-builds: regenerate.py --upstream (slice, patch, generate, format)",
        spec=upstream.name,
        median_s=statistics.median(seconds),
        p95_s=percentile(seconds, 0.95),
        runs=runs,
        exit_code=codes[-1],
        outcome=outcome,
    )


def _generator_env() -> dict[str, str]:
    # Its default post-hooks call `ruff` from PATH: use the pinned one beside this Python.
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _summarize_failure(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "validation error" in line or "should have" in line]
    head = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "")
    detail = "; ".join(dict.fromkeys(errors[:2]))
    return f"{head} {detail}".strip()


def _whole_spec_generator(spec: Path) -> RegenRow:
    with tempfile.TemporaryDirectory(prefix="bench-opc-") as folder:
        out = Path(folder) / "out"
        command = [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            *("--path", str(spec)),
            *("--output-path", str(out)),
            *("--meta", "none"),
        ]
        started = time.perf_counter()
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=_GENERATOR_TIMEOUT,
                env=_generator_env(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return RegenRow(
                "openapi-python-client on the whole spec",
                spec.name,
                None,
                None,
                1,
                None,
                f"timed out after {_GENERATOR_TIMEOUT:.0f} s",
            )
        seconds = time.perf_counter() - started
        files = sum(1 for _ in out.rglob("*.py")) if out.exists() else 0
        if result.returncode == 0 and files:
            outcome = f"generated {files} modules"
        else:
            outcome = "failed: " + _summarize_failure(result.stdout + result.stderr)
        return RegenRow(
            "openapi-python-client on the whole spec",
            spec.name,
            seconds,
            seconds,
            1,
            result.returncode,
            outcome,
            files,
        )


def measure_regeneration(
    upstream: Path | None, *, runs: int, older_upstream: Path | None = None
) -> RegenResult:
    if upstream is None:
        return RegenResult(skipped="no upstream spec: pass --upstream or set ASC_UPSTREAM_SPEC")
    if not upstream.is_file():
        return RegenResult(skipped=f"the upstream spec {upstream.name} is not a file")
    rows = [_pipeline(upstream, runs), _whole_spec_generator(upstream)]
    if older_upstream is not None and older_upstream.is_file():
        rows.append(_whole_spec_generator(older_upstream))
    return RegenResult(rows)
