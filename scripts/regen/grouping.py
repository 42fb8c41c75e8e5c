"""Fold a change list into rows a maintainer can read: one change repeated is one row.

Each change is split into a *place* (where it happens), an optional *item* (the enum
value, property, parameter, status or schema that differs) and the rest of its detail.
Rows are formed in two steps:

1. changes with the same impact, kind, action, place and rest become one row listing
   their items (an enum losing 19 values; five properties removed from one object);
2. rows with the same impact, kind, action, rest and items become one row naming all their
   places (the same 12 enum values removed from a parameter of four operations).

Nothing is dropped: every row keeps its changes, and a row counts places x items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .diff import Action, Change, Impact, Kind

__all__ = ["Row", "group_changes", "render_places"]


@dataclass(frozen=True)
class Row:
    impact: Impact
    kind: Kind
    action: Action
    places: tuple[str, ...]
    items: tuple[str, ...]  # empty: the change has no item (a nullable, a type...)
    rest: str  # the detail the changes share, without their item
    changes: tuple[Change, ...]

    @property
    def count(self) -> int:
        return len(self.changes)


_ItemsKey = tuple[Impact, Kind, Action, str, str, tuple[str, ...]]


def _split(change: Change) -> tuple[str, str | None, str]:
    """(place, item, rest) of one change."""
    where, detail = change.where, change.detail
    if change.kind is Kind.PROPERTY and "." in where:
        place, item = where.rsplit(".", 1)
        return place, item, detail
    if change.kind in (Kind.ENUM, Kind.VARIANT):
        return where, detail, ""
    if change.kind is Kind.PARAMETER:
        return where, detail.removeprefix("parameter "), ""
    if change.kind is Kind.RESPONSE and detail.startswith("response "):
        return where, detail.removeprefix("response "), ""
    if change.kind is Kind.DISCRIMINATOR and detail.startswith("mapping "):
        return where, detail.removeprefix("mapping "), ""
    if change.kind in (Kind.SCHEMA, Kind.OPERATION):
        return "", where, detail
    return where, None, detail


def group_changes(changes: list[Change], key: dict[Change, str] | None = None) -> list[Row]:
    """Rows for `changes`; `key` (a text per change, such as its effect) keeps apart changes
    that would otherwise share a row."""
    extra = key or {}
    by_place: dict[tuple[Impact, Kind, Action, str, str, str], list[Change]] = defaultdict(list)
    for change in changes:
        place, _, rest = _split(change)
        by_place[
            (change.impact, change.kind, change.action, place, rest, extra.get(change, ""))
        ].append(change)
    by_items: dict[_ItemsKey, list[tuple[str, list[Change]]]] = defaultdict(list)
    for (impact, kind, action, place, rest, note), members in by_place.items():
        items = tuple(sorted({item for c in members if (item := _split(c)[1]) is not None}))
        by_items[(impact, kind, action, rest, note, items)].append((place, members))
    rows = []
    for (impact, kind, action, rest, _, items), placed in by_items.items():
        places = tuple(sorted(place for place, _ in placed))
        grouped = tuple(sorted(c for _, group in placed for c in group))
        rows.append(Row(impact, kind, action, places, items, rest, grouped))
    return sorted(rows, key=lambda r: (r.impact is not Impact.BREAKING, r.places, r.kind, r.items))


def render_places(places: tuple[str, ...], operations: set[str]) -> str:
    """`a`, `b`; places under several operations with the same rest read "`rest` on `OP`, ..."."""
    split = []
    for place in places:
        operation = next(
            (o for o in sorted(operations, key=len, reverse=True) if place.startswith(o + " ")),
            None,
        )
        split.append((operation, place[len(operation) + 1 :] if operation else place))
    rests = {rest for _, rest in split}
    if len(places) > 1 and len(rests) == 1 and all(op for op, _ in split):
        (rest,) = rests
        return f"`{rest}` on " + ", ".join(f"`{op}`" for op, _ in split)
    return ", ".join(f"`{place}`" for place in places if place) or "—"
