"""What the numbers were measured on: CPU, core count, Python, library versions."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Machine", "describe_machine"]

_VERSIONS = ("asc-builds", "httpx", "httpcore", "h11", "PyJWT", "cryptography", "attrs")


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    python: str
    platform: str
    versions: dict[str, str] = field(default_factory=dict)

    def one_line(self) -> str:
        return f"{self.cpu_model}, {self.cores} cores, Python {self.python}, {self.platform}"


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown CPU"
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "model name":
            return value.strip()
    return platform.processor() or "unknown CPU"


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe_machine(extra: tuple[str, ...] = ()) -> Machine:
    versions = {}
    for distribution in (*_VERSIONS, *extra):
        version = _version(distribution)
        if version is not None:
            versions[distribution] = version
    return Machine(
        cpu_model=_cpu_model(),
        cores=len(os.sched_getaffinity(0)),
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        versions=versions,
    )
