"""Where each input and output of the regeneration lives in a checkout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Layout"]


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def slice(self) -> Path:
        return self.root / "openapi" / "slice.json"

    @property
    def overlay(self) -> Path:
        return self.root / "openapi" / "overlay.json"

    @property
    def generator_config(self) -> Path:
        return self.root / "openapi" / "generator.yaml"

    @property
    def templates(self) -> Path:
        return self.root / "openapi" / "templates"

    @property
    def lock(self) -> Path:
        return self.root / "openapi" / "lock.json"

    @property
    def generated_ruff_config(self) -> Path:
        return self.root / "generated" / "ruff.toml"

    @property
    def package(self) -> Path:
        return self.root / "generated" / "asc_builds_generated"
