"""Server-supplied text made safe for a terminal: control characters shown, never obeyed.

A 409 whose `detail` holds escape sequences could otherwise clear the screen and print a
false "ok"; a newline could forge a line of its own. In JSON output, `json.dumps` escapes
C0 controls itself and `json_safe` the rest, as JSON's own escapes (nothing is lost).
"""

from __future__ import annotations

__all__ = ["json_safe", "visible"]

# C0 controls (newline and tab included), DEL, C1 controls, and the bidirectional
# overrides and isolates that reorder what a terminal shows.
_INVISIBLE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_INVISIBLE += [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_TABLE = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _INVISIBLE}
# In JSON text these can only sit inside strings, where \\uXXXX is the same character.
_JSON_TABLE = {code: f"\\u{code:04x}" for code in _INVISIBLE}


def visible(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\u202e`)."""
    return text.translate(_TABLE)


def json_safe(document: str) -> str:
    """Serialised JSON with every control character escaped as JSON's own `\\uXXXX`."""
    return document.translate(_JSON_TABLE)
