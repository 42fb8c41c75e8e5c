"""Reading a change report the way a maintainer does: by section, row and count."""

from __future__ import annotations

import re

from regen.diff import Change, Kind

__all__ = [
    "FIRST",
    "GENERATED",
    "change_is_named",
    "row_count",
    "row_with",
    "rows",
    "section",
    "summary_total",
]

FIRST = "## What changes for asc_builds users"
GENERATED = "## Changes to the generated models only"


def section(text: str, heading: str) -> str:
    """The text under `heading`, up to the next second-level heading ("" when absent)."""
    if heading not in text:
        return ""
    body = text.split(heading, 1)[1]
    return body.split("\n## ", 1)[0]


def rows(text: str) -> list[str]:
    """The table rows of `text` (header and rule lines excluded)."""
    return [
        line
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| impact |", "| |"))
    ]


def row_with(text: str, *fragments: str) -> str:
    """The one row holding every fragment."""
    found = [line for line in rows(text) if all(f in line for f in fragments)]
    assert len(found) == 1, f"{fragments}: {found or 'no row'}"
    return found[0]


def row_count(row: str) -> int:
    """How many changes a row stands for: `(N)` after its change, else one."""
    change = row.split(" | ")[1]
    match = re.search(r"\((\d+)\)$", change)
    return int(match.group(1)) if match else 1


def summary_total(text: str) -> tuple[int, int]:
    """(breaking, additive) from the report's summary line."""
    match = re.search(r"\*\*(\d+) breaking, (\d+) additive\*\*", text)
    assert match, "no summary line"
    return int(match.group(1)), int(match.group(2))


def _tokens(change: Change, operations: set[str]) -> list[str]:
    """What a row must show for `change`: its place, split at the operation, and its item."""
    where, detail = change.where, change.detail
    operation = next((o for o in sorted(operations, key=len, reverse=True) if where == o), None)
    operation = operation or next(
        (o for o in sorted(operations, key=len, reverse=True) if where.startswith(o + " ")), None
    )
    if change.kind in (Kind.SCHEMA, Kind.OPERATION):
        return [where]
    if change.kind is Kind.PROPERTY:
        parent, leaf = where.rsplit(".", 1)
        return [parent, f"`{leaf}`"]
    places = [operation, where[len(operation) :].strip()] if operation else [where]
    item = {
        Kind.ENUM: detail,
        Kind.VARIANT: detail,
        Kind.PARAMETER: detail.removeprefix("parameter "),
        Kind.RESPONSE: detail.removeprefix("response "),
    }.get(change.kind, "")
    return [p for p in [*places, item] if p]


def change_is_named(text: str, change: Change, operations: set[str]) -> bool:
    """Whether one row of `text` names `change`: its kind, action, place and item."""
    wanted = [f"{change.kind} {change.action}", *_tokens(change, operations)]
    return any(all(token in line for token in wanted) for line in rows(text))
