"""The README is for newcomers: short, with the two quick-start commands, and links to
docs/ pages that exist and hold what left it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_at_most_350_lines() -> None:
    assert len(README.splitlines()) <= 350


def test_the_quick_start_commands_are_unchanged() -> None:
    assert "```sh\nscripts/with-venv asc-builds demo\nscripts/with-venv pytest\n```" in README


def test_every_relative_link_resolves() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            if target == "regeneration-report.md":
                continue  # written by a regeneration, linked ahead of its first run
            assert (page.parent / target).exists(), f"{page.name} links to {target}"


def test_the_docs_hold_what_left_the_readme() -> None:
    expected = {
        "cli.md": ["| `kind` |", "| 141 |", "bare number"],
        "regeneration.md": ["scripts/regen/lenient.py", "regeneration-report.md"],
        "reliability.md": ["| one attempt, connect to last body byte |", "RateBudget"],
        "benchmarks.md": ["callgrind", "scripts/benchmark.py"],
    }
    for name, phrases in expected.items():
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        for phrase in phrases:
            assert phrase in text, f"docs/{name} lacks {phrase!r}"
        assert f"docs/{name}" in README, f"the README links to docs/{name}"
