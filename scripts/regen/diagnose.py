"""A short explanation of why openapi-python-client refused a spec, instead of its output.

The generator reports problems three ways: pydantic validation errors on the document
("N validation errors for OpenAPI" and a dotted location per error), warnings about a
schema or an endpoint it skipped ("Unable to process schema /components/schemas/X"),
and uncaught exceptions shown as a boxed traceback ending in `ValueError: ...`. Each is
turned into: what was refused, where (a JSON pointer into the patched slice), and the
likely fix.
"""

from __future__ import annotations

import re

__all__ = ["explain_generator_failure"]

_FIX = (
    "likely fix: a named patch for it in openapi/overlay.json (or, if Apple publishes the "
    "construct in several places, a generic rule in scripts/regen/compat.py)"
)
_MAX_ITEMS = 5
# pydantic's names for the alternatives it tried inside a union: not part of the path.
_NOISE = re.compile(r"^(other|str-enum\[.*\]|list\[.*\]|Schema|Reference|.*\[.*\])$")


def _pointer(dotted: str) -> str:
    steps = [step for step in dotted.split(".") if not _NOISE.match(step)]
    return "/" + "/".join(steps)


def _validation_errors(lines: list[str]) -> list[str]:
    found: list[str] = []
    for index, line in enumerate(lines):
        if re.match(r"^(components|paths|info|servers|security)\.", line) and index + 1 < len(
            lines
        ):
            message = lines[index + 1].strip().split(" [type=")[0]
            item = f"{_pointer(line.strip())}: {message}"
            if item not in found:
                found.append(item)
    return found


def _skipped_parts(text: str) -> list[str]:
    found: list[str] = []
    for match in re.finditer(r"Unable to process schema (\S+?):\s*\n\s*\n(.+)", text):
        found.append(f"{match.group(1)}: {match.group(2).strip()}")
    for match in re.finditer(r"WARNING parsing (\S+ \S+) within \S+\.\s*\n\s*\n(.+)", text):
        found.append(f"{match.group(1)}: {match.group(2).strip()}")
    return found


def _exception(lines: list[str]) -> list[str]:
    # The last line of a traceback, possibly wrapped over two lines by the console.
    for index in range(len(lines) - 1, -1, -1):
        match = re.match(r"^(\w+(?:Error|Exception)): (.*)", lines[index])
        if match:
            message = match.group(2)
            follow = lines[index + 1].strip() if index + 1 < len(lines) else ""
            if follow and not follow.startswith(("╰", "│")):
                message += " " + follow
            return [f"{match.group(1)}: {message}"]
    return []


def _enum_hint(item: str) -> str:
    duplicate = re.search(r"Duplicate key (\S+) in enum (\S+?);", item)
    if duplicate:
        return (
            f"enum class {duplicate.group(2).split('.')[-1]} has two values that give the "
            f"member name {duplicate.group(1)}: {item}"
        )
    return item


def explain_generator_failure(output: str) -> str:
    """A few lines naming what the generator refused, where, and the likely fix."""
    lines = output.splitlines()
    items = _validation_errors(lines) or _skipped_parts(output) or _exception(lines)
    if not items:
        tail = [line.strip() for line in lines if line.strip() and line.strip()[0] not in "│╭╰"]
        items = tail[-2:] or ["no output"]
    shown = [_enum_hint(item) for item in items[:_MAX_ITEMS]]
    more = len(items) - len(shown)
    text = "openapi-python-client refused the patched slice:\n" + "\n".join(
        f"  - {item}" for item in shown
    )
    if more > 0:
        text += f"\n  ... and {more} more"
    return f"{text}\n{_FIX}"
