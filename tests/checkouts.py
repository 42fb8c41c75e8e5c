"""Throwaway copies of the parts of a checkout that regeneration reads and writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "copy_checkout", "run_regenerate"]

ROOT = Path(__file__).resolve().parent.parent
_IGNORE = shutil.ignore_patterns("__pycache__")


def copy_checkout(destination: Path, *, with_generated: bool = True) -> Path:
    """Copy `openapi/`, `scripts/` and the wrapper (whose use of the generated client the
    report reads), and `generated/` or only its ruff config, aside."""
    for folder in ("openapi", "scripts", "wrapper"):
        shutil.copytree(ROOT / folder, destination / folder, ignore=_IGNORE)
    if with_generated:
        shutil.copytree(ROOT / "generated", destination / "generated", ignore=_IGNORE)
    else:
        (destination / "generated").mkdir(parents=True)
        shutil.copyfile(ROOT / "generated" / "ruff.toml", destination / "generated" / "ruff.toml")
    return destination


def run_regenerate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """scripts/regenerate.py as a maintainer runs it, on the copy at `root`."""
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "regenerate.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
