"""Long waits are visible without -v: one line on stderr, or a `progress` line with --json."""

from __future__ import annotations

import io
import json
import threading

import jsonschema  # type: ignore[import-untyped]
import pytest
from asc_builds._logging import log_budget_wait, log_retry
from asc_builds.cli import _wait_notices
from asc_builds.cli._output import OUTPUT_SCHEMA
from asc_builds.cli._render import Renderer
from asc_builds.cli._wait_notices import showing_long_waits
from asc_builds.testing import RateLimited

from .conftest import Served


def _render(as_json: bool) -> tuple[Renderer, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Renderer(out=out, err=err, as_json=as_json, command="expire"), out, err


def test_a_budget_wait_prints_one_line_on_stderr() -> None:
    render, out, err = _render(as_json=False)
    with showing_long_waits(render, verbosity=0):
        log_budget_wait(3600.0)
    assert out.getvalue() == ""
    (line,) = err.getvalue().splitlines()
    assert "waiting 3600.0 s" in line and "hourly request budget" in line


def test_a_budget_wait_is_a_progress_line_with_json() -> None:
    render, out, _err = _render(as_json=True)
    with showing_long_waits(render, verbosity=0):
        log_budget_wait(3600.0)
    (text,) = out.getvalue().splitlines()
    line = json.loads(text)
    jsonschema.validate(line, OUTPUT_SCHEMA)
    assert line["kind"] == "progress"
    assert line["progress"]["wait_for"] == "budget"
    assert line["progress"]["wait_seconds"] == 3600.0


def test_short_waits_stay_quiet_and_threads_waiting_together_give_one_line() -> None:
    render, _out, err = _render(as_json=False)
    with showing_long_waits(render, verbosity=0):
        log_retry(method="GET", path="/v1/builds", reason="429", delay=0.5, retry_number=1,
                  max_retries=2)  # fmt: skip
        threads = [threading.Thread(target=log_budget_wait, args=(600.0,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert len(err.getvalue().splitlines()) == 1
    # Put back afterwards: nothing is shown once the command is over.
    log_budget_wait(3600.0)
    assert len(err.getvalue().splitlines()) == 1


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_retry_after_wait_is_shown_by_the_command_line(
    served: Served, as_json: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real threshold is 5 s; a test does not wait that long.
    monkeypatch.setattr(_wait_notices, "NOTICE_SECONDS", 0.5)
    build = served.fake.add_build()
    served.fake.inject(RateLimited(retry_after=1))
    result = served.cli(*(["--json"] if as_json else []), "get", build.id)
    assert result.status == 0, result.err
    if as_json:
        progress = [line for line in result.lines() if line["kind"] == "progress"]
        assert [line["progress"]["wait_for"] for line in progress] == ["retry"]
    else:
        assert "retrying GET /v1/builds/" in result.err
        assert len(result.err.splitlines()) == 1


def test_a_wait_under_the_threshold_prints_nothing(served: Served) -> None:
    build = served.fake.add_build()
    served.fake.inject(RateLimited(retry_after=1))
    result = served.cli("get", build.id)
    assert result.status == 0 and result.err == ""
