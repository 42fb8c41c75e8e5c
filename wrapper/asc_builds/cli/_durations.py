"""Durations on the command line: `90d`, `12h`, `30m`, `45s`, `2w`, `1h30m`; always a unit.

A bare number is refused: `--older-than 90` read as 90 seconds once planned to expire
hundreds of builds that `90d` keeps, and expiry cannot be undone.
"""

from __future__ import annotations

import argparse
import datetime
import re
from collections.abc import Sequence

__all__ = ["ACCEPTED_FORMS", "DURATION_OPTIONS", "join_dash_values", "parse_duration"]

_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_UNITS = {"w": 7 * 86_400, "d": 86_400, "h": 3600, "m": 60, "s": 1}
_NEGATIVE = re.compile(r"-\.?\d")
ACCEPTED_FORMS = "90d, 12h, 30m or 45s (w, d, h, m, s; combined as 1h30m)"
# The options whose value is a duration (see `join_dash_values`).
DURATION_OPTIONS = ("--older-than", "--timeout")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_duration(text: str) -> datetime.timedelta:
    """`90d`, `12h`, `30m`, `45s`, `2w` or `1h30m`; for argparse `type=`."""
    cleaned = text.strip().lower()
    if cleaned.startswith("-"):
        raise argparse.ArgumentTypeError(
            f"a duration cannot be negative; got {text!r}: give one such as {ACCEPTED_FORMS}"
        )
    if _is_number(cleaned):
        raise argparse.ArgumentTypeError(
            f"{text!r} has no unit: give a duration such as {ACCEPTED_FORMS} "
            f"(for {cleaned} days, {cleaned}d)"
        )
    position, seconds = 0, 0.0
    for match in _PART.finditer(cleaned):
        if match.start() != position:
            break
        seconds += float(match[1]) * _UNITS[match[2]]
        position = match.end()
    if position != len(cleaned) or not cleaned:
        raise argparse.ArgumentTypeError(
            f"expected a duration such as {ACCEPTED_FORMS}; got {text!r}"
        )
    return datetime.timedelta(seconds=seconds)


def join_dash_values(argv: Sequence[str]) -> list[str]:
    """`--older-than -5d` as `--older-than=-5d`, so that argparse hands the value to
    `parse_duration` (which says why it is refused) instead of taking it for an option."""
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word in DURATION_OPTIONS:
            value = next(words, None)
            if value is not None and _NEGATIVE.match(value):
                joined.append(f"{word}={value}")
                continue
            joined.append(word)
            if value is not None:
                joined.append(value)
            continue
        joined.append(word)
    return joined
