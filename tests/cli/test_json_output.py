"""Every command's --json output: JSON Lines, each line valid against the one documented
schema (asc_builds.cli._output.OUTPUT_SCHEMA)."""

from __future__ import annotations

import argparse
import io
import threading
from collections.abc import Callable
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from asc_builds.cli._fake_server import run_fake_server
from asc_builds.cli._output import KINDS, OUTPUT_SCHEMA
from asc_builds.cli._parser import COMMANDS, build_parser
from asc_builds.cli._render import Renderer

from .conftest import CliResult, Served, run_cli

VALIDATOR = jsonschema.Draft202012Validator(OUTPUT_SCHEMA)


def _fake_server_output(_: Served) -> CliResult:
    # The server runs until stopped: stopped before it starts, it prints its line and ends.
    stop = threading.Event()
    stop.set()
    out, err = io.StringIO(), io.StringIO()
    render = Renderer(out=out, err=err, as_json=True, command="fake-server")
    status = run_fake_server(
        argparse.Namespace(port=0, builds=2, processing_seconds=30, hourly_limit=3600),
        render,
        stop=stop,
    )
    return CliResult(status, out.getvalue(), err.getvalue())


def _runs(served: Served) -> list[tuple[str | None, Callable[[], CliResult]]]:
    """Every command, through success, failure and dry-run paths, with --json."""
    fake = served.fake
    builds = [fake.add_build() for _ in range(4)]
    gone = fake.add_build(expired=True)
    declaration = fake.add_encryption_declaration()
    missing = "11111111-2222-3333-4444-555555555555"
    app = fake.add_app(builds[0].app_id, bundle_id="com.example.json")
    waiting = fake.add_build(version="77", processing_state="PROCESSING")
    return [
        (
            "wait",
            lambda: served.cli(
                "--json", "wait", builds[1].id, "--uses-non-exempt-encryption", "false"
            ),
        ),
        ("wait", lambda: served.cli("--json", "wait", "--bundle-id", app.bundle_id)),
        (
            "wait",
            lambda: served.cli(
                "--json", "wait", waiting.id, "--timeout", "0.2s", "--declaration", declaration.id
            ),
        ),
        (
            "expire",
            lambda: served.cli(
                "--json",
                "--dry-run",
                "expire",
                "--bundle-id",
                app.bundle_id,
                "--older-than",
                "0d",
                "--keep-latest",
                "1",
            ),
        ),
        ("expire", lambda: served.cli("--json", "expire", builds[0].id, missing)),
        ("expire", lambda: served.cli("--json", "--dry-run", "expire", "x1", "x2")),
        ("expire", lambda: served.cli("--json", "expire", "a/b")),
        (
            "set-encryption",
            lambda: served.cli(
                "--json", "set-encryption", builds[1].id, "--uses-non-exempt-encryption", "no"
            ),
        ),
        (
            "set-encryption",
            lambda: served.cli(
                "--json", "set-encryption", gone.id, "--uses-non-exempt-encryption", "no"
            ),
        ),
        (
            "assign-declaration",
            lambda: served.cli("--json", "assign-declaration", builds[2].id, declaration.id),
        ),
        (
            "assign-declaration",
            lambda: served.cli("--json", "--dry-run", "assign-declaration", "b", declaration.id),
        ),
        ("get", lambda: served.cli("--json", "get", builds[0].id)),
        ("get", lambda: served.cli("--json", "get", missing)),
        ("get", lambda: served.cli("--json", "--dry-run", "get", "b")),
        ("list", lambda: served.cli("--json", "list", "--app-id", builds[0].app_id)),
        ("list", lambda: served.cli("--json", "list", "--bundle-id", "com.nothing")),
        ("list", lambda: served.cli("--json", "list", "--app-id", "1", "--sort", "x")),
        ("update", lambda: served.cli("--json", "update", builds[3].id, "--expire")),
        ("update", lambda: served.cli("--json", "update", builds[3].id)),
        ("token", lambda: served.cli("--json", "token", "--scope", "PATCH /v1/builds/x")),
        ("token", lambda: served.cli("--json", "--dry-run", "token")),
        ("doctor", lambda: served.cli("--json", "doctor")),
        ("doctor", lambda: served.cli("--json", "doctor", "--dry-run")),
        ("fake-server", lambda: _fake_server_output(served)),
        ("demo", lambda: served.cli("--json", "demo")),
        (None, lambda: served.cli("--json", "no-such-command")),
        ("expire", lambda: served.cli("--json", "expire", "--concurrency", "0", "b")),
        ("expire", lambda: run_cli(["--json", "expire", "b1"], environ={})),
    ]


def test_every_commands_output_fits_the_one_schema(served: Served) -> None:
    covered: set[str] = set()
    kinds: set[str] = set()
    for command, produce in _runs(served):
        result = produce()
        assert result.out.endswith("\n"), (command, result)
        lines = result.lines()
        assert lines, (command, result.err)
        for line in lines:
            errors = [error.message for error in VALIDATOR.iter_errors(line)]
            assert errors == [], (command, line)
            assert line["command"] == command
            kinds.add(line["kind"])
        # With --json nothing is written for people on stderr: stdout says it all.
        assert result.err == "", (command, result.err)
        if command is not None:
            covered.add(command)
    assert covered == set(COMMANDS), "a command whose --json output is never checked"
    assert kinds == set(KINDS)


def test_the_command_list_is_the_parsers() -> None:
    parser = build_parser()
    (subparsers,) = [
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    ]
    assert tuple(subparsers.choices) == COMMANDS


@pytest.mark.parametrize(
    "line",
    [
        {"kind": "resource", "command": "expire", "id": "b", "resource": {"type": "builds"}},
        {"kind": "error", "command": "x", "ok": True, "id": None, "error": {}},
        {"kind": "resource", "command": "x", "ok": True, "id": "b", "build": {}},
        {
            "kind": "resource",
            "command": "x",
            "ok": True,
            "id": "b",
            "resource": {"type": "builds", "id": "b"},
        },
        {
            "kind": "summary",
            "command": "x",
            "ok": True,
            "id": None,
            "summary": {"total": 1, "succeeded": 1, "failed": 0},
            "included": [],
        },
        {"kind": "summary", "command": "x", "ok": True, "id": None, "summary": {"total": 1}},
        {"kind": "listing", "command": "x", "ok": True, "id": None, "listing": []},
        {
            "kind": "token",
            "command": "token",
            "ok": True,
            "id": None,
            "token": {"token": "t", "key_id": "k", "scope": None, "extra": 1},
        },
    ],
)
def test_the_schema_rejects_other_shapes(line: dict[str, Any]) -> None:
    assert list(VALIDATOR.iter_errors(line)) != []
