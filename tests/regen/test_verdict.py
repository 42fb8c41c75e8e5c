"""The verdict heading a regeneration pull request: outcomes and first failures on top."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from regen.verdict import MAX_FAILURES, first_failures

from ..checkouts import ROOT

_REPORT = "# App Store Connect spec: 4.4.1 -> 3.7.0 (changed)\n\n**1 breaking, 0 additive**\n\n"
_PYTEST_LOG = "\n".join(
    [
        "tests/wrapper/test_a.py ..F",
        "=========================== short test summary info ============================",
        *(f"FAILED tests/wrapper/test_a.py::test_{n} - AssertionError: boom {n}" for n in range(7)),
        "ERROR tests/wrapper/test_b.py - ImportError: cannot import name 'BuildUpload'",
        "======================== 7 failed, 1 error in 12.00s =========================",
    ]
)
_MYPY_LOG = (
    'wrapper/asc_builds/_builds.py:40: error: Module has no attribute "X"  [attr-defined]\n'
    "Found 1 error in 1 file (checked 80 source files)\n"
)


def _run(tmp_path: Path, tests: str, mypy: str, *, logs: bool = True) -> str:
    report = tmp_path / "report.md"
    report.write_text(_REPORT + "## What changes for asc_builds users\n", "utf-8")
    if logs:
        (tmp_path / "pytest.log").write_text(_PYTEST_LOG, "utf-8")
        (tmp_path / "mypy.log").write_text(_MYPY_LOG, "utf-8")
    result = subprocess.run(
        [
            sys.executable, str(ROOT / "scripts" / "report_verdict.py"),
            "--report", str(report), "--tests", tests, "--mypy", mypy,
            "--tests-log", str(tmp_path / "pytest.log"), "--mypy-log", str(tmp_path / "mypy.log"),
            "--run-url", "https://github.com/o/r/actions/runs/1",
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return report.read_text("utf-8")


def test_failures_head_the_report_under_its_title(tmp_path: Path) -> None:
    text = _run(tmp_path, "failure", "failure")
    assert text.startswith("# App Store Connect spec: 4.4.1 -> 3.7.0 (changed)\n\n## Verdict: ")
    verdict = text.split("## What changes for asc_builds users", 1)[0]
    assert "the wrapper needs work" in verdict
    assert "| the test suite (`scripts/with-venv pytest`) | **failure** |" in verdict
    assert "| mypy on the wrapper (`scripts/with-venv mypy wrapper`) | **failure** |" in verdict
    assert "FAILED tests/wrapper/test_a.py::test_0 - AssertionError: boom 0" in verdict
    assert "test_5" not in verdict  # only the first few
    assert 'wrapper/asc_builds/_builds.py:40: error: Module has no attribute "X"' in verdict
    assert "(https://github.com/o/r/actions/runs/1)" in verdict
    assert "**1 breaking, 0 additive**" in text  # the report itself is kept whole


def test_a_pass_says_so_without_failures(tmp_path: Path) -> None:
    text = _run(tmp_path, "success", "success")
    assert "## Verdict: the wrapper passes against the regenerated client" in text
    assert "First failures" not in text and "FAILED" not in text


def test_one_failing_check_is_enough_and_a_missing_log_is_said(tmp_path: Path) -> None:
    text = _run(tmp_path, "success", "cancelled", logs=False)
    assert "the wrapper needs work" in text and "**cancelled**" in text
    assert "First failures of mypy on the wrapper:\n\n```\n(no output)\n```" in text


def test_first_failures_fall_back_to_the_last_lines_of_a_crash() -> None:
    crash = "collecting ...\n\nTraceback (most recent call last):\n  ...\nKeyError: 'data'\n"
    assert first_failures(crash)[-1] == "KeyError: 'data'"
    named = first_failures(_PYTEST_LOG)
    assert len(named) == MAX_FAILURES and all(line.startswith("FAILED ") for line in named)
    assert len(first_failures("FAILED t.py::x - " + "y" * 1000)[0]) == 300
