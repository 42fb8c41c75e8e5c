"""Durations on the command line: `90d`, `30m`, `1h30m`, `45s`, or plain seconds."""

from __future__ import annotations

import argparse
import datetime
import re

__all__ = ["parse_duration"]

_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_UNITS = {"w": 7 * 86_400, "d": 86_400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> datetime.timedelta:
    """`90d`, `30m`, `1h30m`, `2w`, `45s` or a number of seconds; for argparse `type=`."""
    cleaned = text.strip().lower()
    try:
        seconds = float(cleaned)
    except ValueError:
        position, seconds = 0, 0.0
        for match in _PART.finditer(cleaned):
            if match.start() != position:
                break
            seconds += float(match[1]) * _UNITS[match[2]]
            position = match.end()
        if position != len(cleaned) or not cleaned:
            raise argparse.ArgumentTypeError(
                f"expected a duration such as 90d, 30m, 1h30m or 45s; got {text!r}"
            ) from None
    if seconds < 0 or seconds != seconds:
        raise argparse.ArgumentTypeError(f"a duration cannot be negative; got {text!r}")
    return datetime.timedelta(seconds=seconds)
