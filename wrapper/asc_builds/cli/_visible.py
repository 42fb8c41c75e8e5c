"""Server-supplied text made safe for a terminal: control characters shown, never obeyed.

A 409 whose `detail` holds escape sequences could otherwise clear the screen and print a
false "ok"; a newline could forge a line of its own. JSON output needs none of this:
`json.dumps` escapes them itself.
"""

from __future__ import annotations

__all__ = ["visible"]

# C0 controls (newline and tab included), DEL, C1 controls, and the bidirectional
# overrides and isolates that reorder what a terminal shows.
_INVISIBLE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_INVISIBLE += [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _INVISIBLE}


def visible(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\u202e`)."""
    return text.translate(_TABLE)
