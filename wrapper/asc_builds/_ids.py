"""Checking resource ids before they become part of a URL or a request body."""

from __future__ import annotations

import re

from ._exceptions import InvalidInputError

__all__ = ["MAX_ID_LENGTH", "check_sendable", "validate_id"]

# Apple's ids are UUIDs or short numeric strings; anything this long is a mistake.
MAX_ID_LENGTH = 128
# What real ids look like (UUIDs, digits): no rule below can object to these, so they
# skip the character-by-character checks that explain what is wrong with the rest.
_ORDINARY_ID = re.compile(rf"[A-Za-z0-9_\-]{{1,{MAX_ID_LENGTH}}}")


def validate_id(value: object, *, what: str) -> str:
    """Return `value` when it is usable as an App Store Connect id, else raise InvalidInputError
    (a ValueError).

    The generated operation percent-encodes the id, so these checks are not about escaping:
    they turn a wrong variable (an empty string, a path, a pasted line) into a clear error
    instead of a confusing 404 from the server.
    """
    if type(value) is str and _ORDINARY_ID.fullmatch(value):
        return value
    return _check_each_rule(value, what=what)


def _check_each_rule(value: object, *, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, got {type(value).__name__}")
    if not value:
        raise InvalidInputError(f"{what} is empty")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInputError(
            f"{what} is {len(value)} characters long; ids are at most {MAX_ID_LENGTH}"
        )
    if value in (".", ".."):
        raise InvalidInputError(f"{what} {value!r} is a path segment, not an id")
    for char in value:
        if char.isspace():
            raise InvalidInputError(f"{what} {value!r} contains whitespace")
        if ord(char) < 32 or ord(char) == 127:
            raise InvalidInputError(f"{what} {value!r} contains a control character")
        if char in "/\\":
            raise InvalidInputError(
                f"{what} {value!r} contains {char!r}; pass the id, not a path or URL"
            )
    check_sendable(value, what=what)
    return value


def check_sendable(value: str, *, what: str) -> None:
    """Refuse text that cannot be sent as UTF-8: a lone surrogate is what an undecodable
    byte of input becomes (`surrogateescape`), and would fail only once requests are going
    out, after others of the same batch were sent."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{what} {value!r} holds characters that cannot be sent (not valid UTF-8 text)"
        ) from None
