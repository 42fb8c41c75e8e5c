"""Render the Markdown report of a regeneration: the pull request's body.

It opens with what a maintainer decides on: the changes that touch what the hand-written
SDK uses (see `sdk_impact`), each with its effect; then every other change, grouped (see
`grouping`); then the two sides compared and the legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .diff import Change, Impact, Kind
from .grouping import Row, group_changes, render_places
from .sdk_impact import SdkChange

__all__ = ["LEGEND", "Outcome", "SpecSide", "render_report"]


class Outcome(StrEnum):
    NO_CHANGE = "no change"
    CHANGED = "changed"
    FAILED = "failed"


@dataclass(frozen=True)
class SpecSide:
    """One side of the comparison, as recorded in (or about to go into) the lock."""

    version: str | None
    source: str | None
    content_sha256: str | None  # of Apple's whole document (lock: upstream.content_sha256)
    slice_sha256: str | None  # of the slice, blind to info.version
    schemas: int


LEGEND = """\
- **breaking**: code written against the previous SDK can stop working. Anything removed
  (operation, response, parameter, schema, property, `oneOf` member, enum value, discriminator
  mapping); a request property or parameter that becomes required; `nullable` removed;
  `required` removed from a response property; any type or format change (the generated Python
  type changes); a property that moves to a different named schema (the generated class is
  renamed).
- **additive**: existing code keeps working. Anything added, including `nullable` (the generated
  type widens to `T | None`) and enum values: requests gain a choice, and the generated enums
  keep values they do not know, so a response carrying a new value still parses.
- **What `asc_builds` uses** is computed from the wrapper's source, not listed by hand: the
  generated names it imports, the property and parameter names it reads, writes or passes,
  the enum values it spells, names or walks whole (`scripts/regen/usage.py` states the rule).
- A row stands for several changes when one change repeats: `(N)` after the change counts
  them (places x items).
- Descriptions, examples and key order are not compared: they change no generated type. The
  decision "changed or not" uses the slice's content hash without `info.version`, never the
  version alone: Apple has changed content without bumping it, and bumps it for changes
  outside this SDK's operation.
"""


def _cell(value: object) -> str:
    return "—" if value in (None, "") else f"`{value}`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _row_what(row: Row) -> str:
    items = ", ".join(f"`{item}`" for item in row.items)
    text = f"{items} {row.rest}".strip() if row.kind is Kind.PROPERTY else items or row.rest
    return _escape(text)


def _row_change(row: Row) -> str:
    times = f" ({row.count})" if row.count > 1 else ""
    return f"{row.kind} {row.action}{times}"


def _sdk_section(sdk: list[SdkChange] | None, operations: set[str]) -> list[str]:
    lines = ["## What changes for asc_builds users", ""]
    if sdk is None:
        return [
            *lines,
            "Could not be computed (no `wrapper/asc_builds` or generated package in this "
            "checkout): any change below may affect the SDK.",
            "",
        ]
    if not sdk:
        return [*lines, "Nothing the hand-written SDK uses changes.", ""]
    effects = {entry.change: entry.effect for entry in sdk}
    lines += [
        "| impact | change | where | what | effect on `asc_builds` |",
        "|---|---|---|---|---|",
    ]
    for row in group_changes(list(effects), key=effects):
        where = _escape(render_places(row.places, operations))
        effect = _escape(effects[row.changes[0]])
        lines.append(
            f"| {row.impact} | {_row_change(row)} | {where} | {_row_what(row)} | {effect} |"
        )
    return [*lines, ""]


def _generated_section(changes: list[Change], operations: set[str]) -> list[str]:
    if not changes:
        return []
    lines = [
        "## Changes to the generated models only",
        "",
        "The hand-written SDK reads, writes and sends none of these; code that uses the "
        "generated models (or the fields the SDK returns as they are) may still notice them.",
        "",
        "| impact | change | where | what |",
        "|---|---|---|---|",
    ]
    for row in group_changes(changes):
        where = _escape(render_places(row.places, operations))
        lines.append(f"| {row.impact} | {_row_change(row)} | {where} | {_row_what(row)} |")
    return [*lines, ""]


def render_report(
    *,
    outcome: Outcome,
    old: SpecSide,
    new: SpecSide | None,
    changes: list[Change],
    sdk: list[SdkChange] | None = None,
    operations: set[str] | frozenset[str] = frozenset(),
    failure: str | None = None,
) -> str:
    """The report; `sdk` holds the changes that touch the wrapper (None: not computed)."""
    versions = f"{old.version or '?'} -> {new.version or '?'}" if new else f"{old.version or '?'}"
    lines = [f"# App Store Connect spec: {versions} ({outcome})", ""]
    if outcome is Outcome.NO_CHANGE:
        lines += [
            "The new slice has the same content as the pinned one"
            + (" although `info.version` moved" if new and new.version != old.version else "")
            + ". Nothing was touched.",
            "",
        ]
    elif outcome is Outcome.FAILED:
        lines += [
            "**Regeneration failed; nothing was touched.**",
            "",
            "```",
            failure or "",
            "```",
            "",
        ]
    touching = {entry.change for entry in sdk or ()}
    rest = [change for change in changes if change not in touching]
    if outcome is not Outcome.NO_CHANGE and new is not None:
        breaking = sum(1 for c in changes if c.impact is Impact.BREAKING)
        sdk_text = (
            "whether they touch the SDK could not be computed"
            if sdk is None
            else f"{len(touching)} touch what `asc_builds` uses, "
            f"{len(rest)} only the generated models"
        )
        lines += [
            f"**{breaking} breaking, {len(changes) - breaking} additive** changes: {sdk_text}.",
            "",
        ]
        if not changes:
            lines += [
                "The slice's content changed, but nothing that shapes a generated type "
                "(descriptions, examples or `info` only).",
                "",
            ]
        else:
            lines += _sdk_section(sdk, set(operations))
            lines += _generated_section(rest, set(operations))
    lines += [
        "## Compared",
        "",
        "| | pinned | upstream |",
        "|---|---|---|",
        f"| `info.version` | {_cell(old.version)} | {_cell(new.version if new else None)} |",
        f"| source | {_cell(old.source)} | {_cell(new.source if new else None)} |",
        f"| upstream content sha256 | {_cell(old.content_sha256)} "
        f"| {_cell(new.content_sha256 if new else None)} |",
        f"| slice content sha256 (without `info.version`) | {_cell(old.slice_sha256)} "
        f"| {_cell(new.slice_sha256 if new else None)} |",
        f"| schemas in the slice | {old.schemas} | {new.schemas if new else '—'} |",
        "",
    ]
    lines += ["## Legend", "", LEGEND]
    return "\n".join(lines)
