"""JSON equality where date-times are compared as instants.

The generated models re-serialise date-times with `isoformat()` (`Z` becomes `+00:00`),
so two bodies are the same when every date-time denotes the same instant."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from .json_schema import to_json_schema
from .mutations import response_roots
from .spec import apple_spec

__all__ = ["assert_same_json", "date_time_properties"]

JSON = dict[str, Any]


@functools.cache
def date_time_properties() -> frozenset[str]:
    """Names of properties the slice declares as date-times (and nowhere as anything else)."""
    dated: set[str] = set()
    other: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                (dated if sub.get("format") == "date-time" else other).add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for root in response_roots():
        walk(to_json_schema(apple_spec(), root))
    clash = dated & other
    if clash:
        raise ValueError(f"properties both date-time and not: {sorted(clash)}")
    return frozenset(dated)


def _instant(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise AssertionError(f"date-time without an offset: {text!r}")
    return value


def assert_same_json(expected: Any, actual: Any, path: str = "$") -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        assert expected.keys() == actual.keys(), (
            f"{path}: keys {sorted(expected)} != {sorted(actual)}"
        )
        for key, value in expected.items():
            if key in date_time_properties() and isinstance(value, str):
                assert isinstance(actual[key], str), f"{path}.{key}: {actual[key]!r}"
                assert _instant(value) == _instant(actual[key]), (
                    f"{path}.{key}: {value} != {actual[key]}"
                )
            else:
                assert_same_json(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        assert len(expected) == len(actual), f"{path}: {len(expected)} items != {len(actual)}"
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            assert_same_json(left, right, f"{path}[{index}]")
    else:
        assert type(expected) is type(actual) and expected == actual, (
            f"{path}: {expected!r} != {actual!r}"
        )
