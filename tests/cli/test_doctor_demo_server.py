"""doctor, demo and fake-server: the commands that look after themselves."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

from asc_builds.cli import run
from asc_builds.cli._demo import run_demo

from .conftest import Served, run_cli


def test_doctor_reports_each_check(served: Served) -> None:
    result = served.cli("--json", "doctor")
    assert result.status == 0, result.out
    *lines, summary = result.lines()
    checks = {line["check"]["name"]: line["check"] for line in lines}
    assert {"key", "token", "key file", "reachability", "clock", "credentials"} <= checks.keys()
    assert all(check["status"] == "ok" for check in checks.values()), checks
    assert summary["summary"]["failed"] == 0 and summary["ok"] is True
    # The unauthenticated reachability probe, then the one authenticated read.
    probe, read = served.fake.requests
    assert probe.status == 401 and read.status == 200
    assert all(r.headers["user-agent"].startswith("asc-builds/") for r in (probe, read))


def test_doctor_dry_run_checks_only_this_machine(served: Served) -> None:
    result = served.cli("doctor", "--dry-run")
    assert result.status == 0, result.out
    lines = result.out.splitlines()
    assert any(line.startswith("ok    key: ") for line in lines)
    assert [line.split(":")[0] for line in lines if line.startswith("SKIP")] == [
        "SKIP  reachability",
        "SKIP  clock",
    ]
    assert served.fake.requests == ()


def test_doctor_says_how_far_off_the_clock_is(served: Served) -> None:
    served.fake.set_clock_offset(-600)
    result = served.cli("doctor")
    assert result.status == 1
    clock_line = next(line for line in result.out.splitlines() if " clock:" in line)
    assert clock_line.startswith("FAIL")
    # HTTP dates have one-second resolution.
    match = re.search(r"local clock is (\d+) s ahead", clock_line)
    assert match is not None, clock_line
    assert 599 <= int(match.group(1)) <= 601


def test_doctor_warns_about_a_key_file_others_can_read(served: Served) -> None:
    os.chmod(served.environ["ASC_PRIVATE_KEY_PATH"], 0o644)
    result = served.cli("doctor")
    assert any(
        line.startswith("WARN  key file") and "chmod 600" in line
        for line in result.out.splitlines()
    )


def test_doctor_reports_an_unreachable_server(served: Served) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = served.cli("--base-url", f"http://127.0.0.1:{port}", "doctor", base_url=False)
    assert result.status == 1
    assert any(line.startswith("FAIL  reachability") for line in result.out.splitlines())


def test_doctor_reports_a_broken_key(tmp_path: Path) -> None:
    garbage = tmp_path / "AuthKey_ABCDEF1234.p8"
    garbage.write_text("not a key")
    result = run_cli(
        ["--base-url", "http://127.0.0.1:9", "--key-file", str(garbage), "doctor"], environ={}
    )
    assert result.status == 1
    assert result.out.splitlines()[0].startswith("FAIL  key: ")


def test_demo_runs_every_path_and_checks_the_final_state() -> None:
    out = io.StringIO()
    assert run_demo(out=out, command_line=run) == 0
    text = out.getvalue()
    assert "demo passed" in text
    for command in ("wait", "assign-declaration", "--dry-run expire", "expire"):
        assert f"$ asc-builds {command}" in text
    assert "FAILED  00000000-0000-0000-0000-000000000000: no build matches" in text
    assert "is REJECTED: it cannot be assigned" in text
    # The second run: every command exits 0 and changes nothing.
    second = text.split("== The same commands again")[1]
    assert second.count("\nalready ") == 4
    assert "\nchanged " not in second and "FAILED" not in second
    assert "plan: expire 0 builds" in second
    assert "BEGIN" not in text, "no PEM in the demo's output"


def test_the_console_entry_point_runs_the_fake_server_and_stops_on_interrupt() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "asc_builds", "--json", "fake-server", "--builds", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        # One JSON line as soon as the server listens (readline is bounded by the server
        # starting or the process ending; the finally clause kills it in any case).
        line = json.loads(process.stdout.readline())
        assert (line["kind"], line["command"], line["ok"]) == ("server", "fake-server", True)
        started = line["server"]
        assert started["base_url"].startswith("http://127.0.0.1:")
        environ = dict(started["environment"])
        build_id = started["build_ids"][0]
        result = run_cli(["--base-url", started["base_url"], "expire", build_id], environ)
        assert result.status == 0, result.err
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        assert not Path(environ["ASC_PRIVATE_KEY_PATH"]).exists(), "the throwaway key is removed"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
