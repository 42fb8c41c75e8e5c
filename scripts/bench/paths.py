"""Where the benchmark finds the project's files, and how it starts its helper processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["FIXTURE", "ROOT", "SCRIPTS", "module_command", "subprocess_env"]

SCRIPTS = Path(__file__).resolve().parent.parent
ROOT = SCRIPTS.parent
FIXTURE = ROOT / "tests" / "fixtures" / "example-response.json"


def subprocess_env() -> dict[str, str]:
    """This environment with scripts/ on PYTHONPATH, so `-m bench.<module>` resolves."""
    env = dict(os.environ)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(SCRIPTS) + (os.pathsep + existing if existing else "")
    return env


def module_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
