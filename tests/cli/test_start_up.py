"""`--version`, `--help` and usage errors need no network: they are answered without
loading httpx, PyJWT or cryptography (about 200 ms of start-up), in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from asc_builds.cli._parser import COMMANDS

_HEAVY = ("httpx", "jwt", "cryptography")

# Runs each command line in one fresh interpreter, then reports the statuses and which of
# the heavy modules were loaded.
_PROBE = """
import io, json, sys
from asc_builds.cli import run
statuses = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    statuses.append(run(argv, environ={}, out=out, err=err, stdin=io.StringIO()))
heavy = ("httpx", "jwt", "cryptography")
print(json.dumps({"statuses": statuses, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def _probe(argvs: list[list[str]]) -> dict[str, list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argvs)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, list[object]] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_version_and_help_load_no_http_jwt_or_cryptography() -> None:
    argvs = [["--version"], ["--help"], *([name, "--help"] for name in COMMANDS)]
    result = _probe(argvs)
    assert result["statuses"] == [0] * len(argvs)
    assert result["loaded"] == []


def test_usage_errors_load_no_http_jwt_or_cryptography() -> None:
    argvs = [
        ["bogus"],
        ["list"],
        ["--json", "list"],
        ["wait", "--timeout", "90", "ID"],
        ["expire", "--concurrency", "0", "ID"],
    ]
    result = _probe(argvs)
    assert result["statuses"] == [2] * len(argvs)
    assert result["loaded"] == []


def test_a_command_that_runs_does_load_them() -> None:
    # The probe can see them: a command past its parsing imports the SDK.
    result = _probe([["token"]])
    assert result["statuses"] == [2]
    assert set(result["loaded"]) == set(_HEAVY)
