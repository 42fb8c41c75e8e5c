"""The project's static gates, run as tests so that the one test command covers them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDWRITTEN = ["wrapper", "scripts", "tests"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_mypy_strict_passes_on_wrapper_generated_scripts_and_tests() -> None:
    # Files and strictness come from [tool.mypy] in pyproject.toml.
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_passes_on_handwritten_code() -> None:
    result = _run("ruff", "check", "--no-cache", *HANDWRITTEN)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied_to_handwritten_code() -> None:
    result = _run("ruff", "format", "--check", "--no-cache", *HANDWRITTEN)
    assert result.returncode == 0, result.stdout + result.stderr
