"""Section 7 is skipped with a reason, not failed, where valgrind is missing."""

from __future__ import annotations

import shutil

import pytest
from bench import instructions
from bench.report import render_instructions


def test_without_valgrind_the_section_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = instructions.measure_instructions("http://127.0.0.1:9", calls=(1, 2), warmup=1)
    assert result.skipped == "valgrind is not installed"
    assert result.per_call == {}
    assert "Skipped: valgrind is not installed." in render_instructions(result)


def test_the_call_counts_must_grow() -> None:
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed: the counts are only checked before a run")
    with pytest.raises(ValueError, match="increasing"):
        instructions.measure_instructions("http://127.0.0.1:9", calls=(3, 3), warmup=1)
