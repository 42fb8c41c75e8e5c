"""Query strings checked against the parameters the pinned slice declares, as Apple does.

A parameter the operation does not declare is refused with 400
``PARAMETER_ERROR.ILLEGAL``; a value outside the declared enum, or a number above the
declared ``maximum``, with 400 ``PARAMETER_ERROR.INVALID``. Arrays are
``style: form, explode: false``: one parameter, values separated by commas. ``cursor``
is accepted everywhere although the spec does not declare it: Apple's own
``links.next`` carries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import attrs

from ._apple_errors import AppleError
from ._schema import load_pinned_slice

__all__ = ["Query", "parse_query"]

_UNDECLARED_BUT_SENT = frozenset({"cursor"})


@attrs.frozen
class Query:
    """Checked parameters: arrays as tuples of strings, integers as int, others as str."""

    values: Mapping[str, Any]

    def list(self, name: str) -> tuple[str, ...] | None:
        value = self.values.get(name)
        return None if value is None else tuple(value)

    def get(self, name: str) -> Any:
        return self.values.get(name)


def invalid(parameter: str, detail: str) -> AppleError:
    return AppleError(
        400,
        "PARAMETER_ERROR.INVALID",
        "A parameter has an invalid value",
        detail,
        parameter=parameter,
    )


def illegal(parameter: str, detail: str | None = None) -> AppleError:
    return AppleError(
        400,
        "PARAMETER_ERROR.ILLEGAL",
        "A parameter was provided that is not allowed",
        detail or f"The parameter '{parameter}' can not be used with this request",
        parameter=parameter,
    )


@cache
def _declared(path: str, method: str) -> Mapping[str, Mapping[str, Any]]:
    item = load_pinned_slice()["paths"][path]
    parameters = [*item.get("parameters", []), *item[method].get("parameters", [])]
    return {p["name"]: p["schema"] for p in parameters if p.get("in") == "query"}


def _check_value(name: str, raw: str, schema: Mapping[str, Any]) -> tuple[Any, AppleError | None]:
    kind = schema.get("type")
    if kind == "array":
        items = raw.split(",")
        allowed = schema.get("items", {}).get("enum")
        for item in items:
            if not item:
                return None, invalid(name, f"An empty value is not valid for '{name}'")
            if allowed is not None and item not in allowed:
                return None, invalid(
                    name,
                    f"'{item}' is not a valid value for '{name}'. "
                    f"Valid values: {', '.join(allowed)}",
                )
        return tuple(items), None
    if kind == "integer":
        try:
            number = int(raw)
        except ValueError:
            return None, invalid(name, f"'{raw}' is not a valid integer for '{name}'")
        maximum = schema.get("maximum")
        if number < 1 or (maximum is not None and number > maximum):
            return None, invalid(
                name, f"'{name}' must be between 1 and {maximum}; '{number}' was given"
            )
        return number, None
    if kind == "boolean":
        if raw not in ("true", "false"):
            return None, invalid(name, f"'{raw}' is not a valid boolean for '{name}'")
        return raw == "true", None
    return raw, None


def parse_query(query: str, *, path: str, method: str) -> Query | AppleError:
    """The checked query of ``method path`` (the slice's path template), or the error."""
    declared = _declared(path, method.lower())
    values: dict[str, Any] = {}
    for name, raw in parse_qsl(query, keep_blank_values=True):
        if name in values:
            return invalid(name, f"The parameter '{name}' was given more than once")
        if name in _UNDECLARED_BUT_SENT:
            values[name] = raw
            continue
        schema = declared.get(name)
        if schema is None:
            return illegal(name)
        value, error = _check_value(name, raw, schema)
        if error is not None:
            return error
        values[name] = value
    return Query(values)
