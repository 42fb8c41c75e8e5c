"""What the fake received, kept for assertions, with credentials out of every repr."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._faults import Fault

__all__ = ["RecordedRequest", "RequestHeaders"]

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


class RequestHeaders(Mapping[str, str]):
    """Case-insensitive, read-only request headers whose repr hides credentials."""

    def __init__(self, items: Mapping[str, str] | list[tuple[str, str]]) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = {name.lower(): value for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        shown = {
            name: "<redacted>" if name in _SECRET_HEADERS else value
            for name, value in self._items.items()
        }
        return f"RequestHeaders({shown!r})"


@attrs.frozen
class RecordedRequest:
    """One request as the fake saw it and how it answered.

    ``json`` is the parsed body or ``None`` when absent or not JSON. ``status`` is
    ``None`` when the connection was dropped. ``rejection`` is the fake's own reason for
    a 401/403 (Apple's body never says which check failed).
    """

    method: str
    path: str
    query: str
    headers: RequestHeaders
    body: bytes = attrs.field(repr=False)
    json: Any
    fault: Fault | None
    status: int | None
    rejection: str | None = None
