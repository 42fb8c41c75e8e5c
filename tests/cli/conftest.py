"""A fake App Store Connect served over real HTTP on 127.0.0.1, and a way to run the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from asc_builds.cli import run
from asc_builds.cli._throwaway_credentials import throwaway_key_environment
from asc_builds.testing import FakeAppStoreConnect, ThrowawayKey


@dataclass
class CliResult:
    status: int
    out: str
    err: str

    def lines(self) -> list[dict[str, Any]]:
        """stdout as JSON Lines (what --json prints)."""
        return [json.loads(text) for text in self.out.splitlines()]


@dataclass
class Served:
    fake: FakeAppStoreConnect
    key: ThrowawayKey
    base_url: str
    environ: dict[str, str] = field(default_factory=dict)

    def cli(
        self,
        *argv: str,
        environ: Mapping[str, str] | None = None,
        base_url: bool = True,
        stdin: str = "",
    ) -> CliResult:
        return run_cli(
            [*(["--base-url", self.base_url] if base_url else []), *argv],
            self.environ if environ is None else environ,
            stdin=stdin,
        )


def run_cli(argv: Sequence[str], environ: Mapping[str, str], *, stdin: str = "") -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    status = run(argv, environ=environ, out=out, err=err, stdin=io.StringIO(stdin))
    return CliResult(status, out.getvalue(), err.getvalue())


@pytest.fixture
def served() -> Iterator[Served]:
    fake = FakeAppStoreConnect()
    key = fake.add_throwaway_key()
    with throwaway_key_environment(key) as environ, fake.serve() as base_url:
        yield Served(fake, key, base_url, environ)
