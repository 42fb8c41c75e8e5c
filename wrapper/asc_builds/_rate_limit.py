"""Apple's hourly request budget, announced in the `X-Rate-Limit` response header.

The header reads `user-hour-lim:3600;user-hour-rem:3599;`: entries separated by `;`, each a
name and an integer separated by `:`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import attrs

__all__ = ["RATE_LIMIT_HEADER", "RateLimit", "parse_rate_limit"]

RATE_LIMIT_HEADER = "X-Rate-Limit"


@attrs.frozen
class RateLimit:
    """The budget as last announced: `limit` requests per hour, `remaining` of them left."""

    limit: int | None
    remaining: int | None
    entries: Mapping[str, int] = attrs.field(factory=dict)


# Answers in a row often announce the same value (a fixed limit, a remaining count that
# others' requests keep level): a hit costs a lookup instead of a parse.
@functools.lru_cache(maxsize=32)
def parse_rate_limit(value: str | None) -> RateLimit | None:
    """Parse an `X-Rate-Limit` value; None when absent or when no entry is readable.

    Results are shared between calls with the same value, so their entries are read-only.
    """
    if not value:
        return None
    entries: dict[str, int] = {}
    for part in value.split(";"):
        name, separator, number = part.partition(":")
        name = name.strip()
        if not separator or not name:
            continue
        try:
            entries[name] = int(number.strip())
        except ValueError:
            # One odd entry must not hide the others.
            continue
    if not entries:
        return None
    return RateLimit(
        limit=entries.get("user-hour-lim"),
        remaining=entries.get("user-hour-rem"),
        entries=MappingProxyType(entries),
    )
