"""scripts/benchmark.py's section selection: `--only` runs section 1 and the ones named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import benchmark  # scripts/benchmark.py; tests/conftest.py puts scripts/ on sys.path
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "benchmark.py"


def test_only_takes_known_sections() -> None:
    args = benchmark._parse(["--only", "imports, instructions"])
    assert args.only == {"imports", "instructions"}
    assert benchmark._parse([]).only is None
    with pytest.raises(SystemExit):
        benchmark._parse(["--only", "imports,latencyy"])


def test_latency_rounds_default_to_rounds() -> None:
    assert benchmark._parse(["--rounds", "7"]).latency_rounds == 7
    assert benchmark._parse(["--rounds", "7", "--latency-rounds", "31"]).latency_rounds == 31
    with pytest.raises(SystemExit):
        benchmark._parse(["--latency-rounds", "0"])


def test_sections_not_selected_say_so(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--only", "imports", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    sections = json.loads(out.read_text("utf-8"))["sections"]
    for name in ("auth", "batch", "profile", "budget", "instructions", "listing"):
        assert sections[name]["skipped"] == "not selected (--only)", name
    assert sections["latency"]["rows"]
    assert sections["imports"]["rows"]
    assert result.stdout.count("Skipped: not selected (--only).") == 7
