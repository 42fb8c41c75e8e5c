"""Render the Markdown report of a regeneration: the pull request's body."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .diff import Change, Impact

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
- Descriptions, examples and key order are not compared: they change no generated type. The
  decision "changed or not" uses the slice's content hash without `info.version`, never the
  version alone: Apple has changed content without bumping it, and bumps it for changes
  outside this SDK's operation.
"""


def _cell(value: object) -> str:
    return "—" if value in (None, "") else f"`{value}`"


def _table(changes: list[Change]) -> list[str]:
    lines = ["| kind | change | where | detail |", "|---|---|---|---|"]
    for change in changes:
        detail = change.detail.replace("|", "\\|")
        lines.append(f"| {change.kind} | {change.action} | `{change.where}` | {detail} |")
    return lines


def render_report(
    *,
    outcome: Outcome,
    old: SpecSide,
    new: SpecSide | None,
    changes: list[Change],
    failure: str | None = None,
) -> str:
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
    lines += [
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
    breaking = [c for c in changes if c.impact is Impact.BREAKING]
    additive = [c for c in changes if c.impact is Impact.ADDITIVE]
    if outcome is not Outcome.NO_CHANGE and new is not None:
        lines += [
            f"**{len(breaking)} breaking, {len(additive)} additive** changes for SDK users.",
            "",
        ]
        if not changes:
            lines += [
                "The slice's content changed, but nothing that shapes a generated type "
                "(descriptions, examples or `info` only).",
                "",
            ]
        if breaking:
            lines += ["## Breaking", "", *_table(breaking), ""]
        if additive:
            lines += ["## Additive", "", *_table(additive), ""]
    lines += ["## Legend", "", LEGEND]
    return "\n".join(lines)
