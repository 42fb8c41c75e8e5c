"""The development pins in pyproject.toml and scripts/dev-constraints.txt agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_exact_dev_pin_is_the_constrained_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    constraints = {
        _name(line): line.split("==", 1)[1]
        for line in (ROOT / "scripts" / "dev-constraints.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    }
    dev = project["project"]["optional-dependencies"]["dev"]
    assert dev, "the dev extra lists the tools"
    for requirement in dev:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned exactly"
        assert constraints.get(_name(name)) == version, f"{requirement} vs the constraints file"


def test_every_runtime_dependency_is_constrained() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    text = (ROOT / "scripts" / "dev-constraints.txt").read_text("utf-8").lower()
    for requirement in project["project"]["dependencies"]:
        assert f"\n{_name(requirement)}==" in "\n" + text.replace("_", "-"), requirement
