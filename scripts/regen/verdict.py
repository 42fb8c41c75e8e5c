"""The verdict that heads a regeneration pull request: do the tests and mypy still pass?

The regenerate workflow runs the test suite and mypy on the wrapper against the freshly
generated client, then puts their outcome (and the first failures of each) above the
change report, so a maintainer knows whether the wrapper must change before reading a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Check", "first_failures", "render_verdict"]

MAX_FAILURES = 5
_MAX_LINE = 300
_PYTEST_FAILURE = re.compile(r"^(FAILED|ERROR) \S")
_MYPY_ERROR = re.compile(r"^\S+:\d+(:\d+)?: error: ")


@dataclass(frozen=True)
class Check:
    name: str
    command: str
    outcome: str  # a GitHub step outcome: success, failure, cancelled or skipped
    log: str


def first_failures(log: str) -> list[str]:
    """The first failing tests (pytest's summary) or type errors (mypy) named in `log`;
    when a failed run names none (a crash, a collection error), its last lines."""
    lines = [line.rstrip() for line in log.splitlines()]
    named = [line for line in lines if _PYTEST_FAILURE.match(line) or _MYPY_ERROR.match(line)]
    chosen = named[:MAX_FAILURES] or [line for line in lines if line.strip()][-MAX_FAILURES:]
    return [line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…" for line in chosen]


def render_verdict(checks: list[Check], run_url: str | None = None) -> str:
    passed = all(check.outcome == "success" for check in checks)
    title = (
        "the wrapper passes against the regenerated client"
        if passed
        else "the wrapper needs work before this can merge"
    )
    lines = [f"## Verdict: {title}", "", "| check | result |", "|---|---|"]
    lines += [f"| {c.name} (`{c.command}`) | **{c.outcome}** |" for c in checks]
    lines.append("")
    for check in checks:
        if check.outcome == "success":
            continue
        failures = first_failures(check.log)
        lines += [f"First failures of {check.name}:", "", "```"]
        lines += failures or ["(no output)"]
        lines += ["```", ""]
    if run_url:
        lines += [f"Full logs: [the workflow run]({run_url}).", ""]
    return "\n".join(lines)
