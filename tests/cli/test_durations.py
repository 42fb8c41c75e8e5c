"""Durations carry their unit: a bare number is refused before anything is sent."""

from __future__ import annotations

import pytest

from .conftest import Served

STALE = ("expire", "--bundle-id", "com.example.app", "--keep-latest", "5", "--yes")


@pytest.mark.parametrize(
    "argv",
    [
        (*STALE, "--older-than", "90"),
        (*STALE, "--older-than", "90.5"),
        ("wait", "11111111-2222-3333-4444-555555555555", "--timeout", "90"),
    ],
)
def test_a_bare_number_is_a_usage_error_naming_the_units(
    served: Served, argv: tuple[str, ...]
) -> None:
    served.fake.add_app_with_builds("com.example.app", builds=8)
    result = served.cli(*argv)
    assert result.status == 2
    assert "has no unit" in result.err
    for form in ("90d", "12h", "30m", "45s"):
        assert form in result.err
    assert served.fake.requests == ()


def test_a_bare_number_with_json_is_one_usage_error_line(served: Served) -> None:
    result = served.cli("--json", *STALE, "--older-than", "90")
    assert result.status == 2
    (line,) = result.lines()
    assert line["error"]["name"] == "UsageError"
    assert "has no unit" in line["error"]["message"]
    assert served.fake.requests == ()


@pytest.mark.parametrize("option", ["--older-than", "--timeout"])
def test_a_negative_duration_says_so(served: Served, option: str) -> None:
    argv = (*STALE,) if option == "--older-than" else ("wait", "11111111-2222-3333-4444-5")
    result = served.cli(*argv, option, "-5d")
    assert result.status == 2
    assert "cannot be negative" in result.err
    assert "expected one argument" not in result.err
    assert served.fake.requests == ()


def test_garbage_names_the_accepted_forms(served: Served) -> None:
    result = served.cli(*STALE, "--older-than", "banana")
    assert result.status == 2
    assert "90d, 12h, 30m or 45s" in result.err


def test_the_help_says_a_unit_is_needed(served: Served) -> None:
    result = served.cli("expire", "--help")
    assert result.status == 0
    assert "bare number is refused" in " ".join(result.out.split())


def test_a_duration_with_its_unit_still_plans(served: Served) -> None:
    served.fake.add_app_with_builds("com.example.app", builds=8)
    result = served.cli("--dry-run", *STALE, "--older-than", "1d")
    assert result.status == 0, result.err
