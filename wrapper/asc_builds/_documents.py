"""What every resource shares: the query encoding, parsing a document, value checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from ._exceptions import InvalidInputError, ResponseValidationError
from ._headers import request_id

__all__ = [
    "check_filter_value",
    "check_one_of",
    "operation_with_query",
    "parse_document",
]

_BAD_FILTER_CHARACTER = re.compile(r"[\s,\x00-\x1f\x7f]")

DocumentT = TypeVar("DocumentT")


def operation_with_query(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The generated operation with its query in Apple's encoding.

    Every array query parameter Apple declares is `style: form, explode: false`
    (`include=a,b`), which the generator does not honour: it hands httpx a list, sent
    as `include=a&include=b`. Lists are joined here; a contract test checks the rule
    holds for every array parameter of the slice.
    """
    operation = dict(kwargs)
    params = operation.get("params")
    if params:
        operation["params"] = {
            name: ",".join(str(v) for v in value) if isinstance(value, list) else value
            for name, value in params.items()
        }
    return operation


def parse_document(
    response: httpx.Response, from_dict: Callable[[Mapping[str, Any]], DocumentT], what: str
) -> DocumentT:
    """The body through a generated model's `from_dict`, or ResponseValidationError naming
    what was wrong (`what`: the schema's name)."""
    try:
        return from_dict(response.json())
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        rid = request_id(response.headers)
        suffix = f" [request id {rid}]" if rid else ""
        raise ResponseValidationError(
            f"{response.status_code} response is not a {what}: "
            f"{type(error).__name__}: {error}{suffix}",
            request_id=rid,
        ) from error


def check_filter_value(value: object, *, what: str, max_length: int = 128) -> str:
    """A single filter value: a non-empty string without whitespace or commas.

    A comma would split the value in two: Apple reads `filter[version]=1,2` as a list.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, got {type(value).__name__}")
    if not value:
        raise InvalidInputError(f"{what} is empty")
    if len(value) > max_length:
        raise InvalidInputError(f"{what} is {len(value)} characters long; at most {max_length}")
    bad = _BAD_FILTER_CHARACTER.search(value)
    if bad:
        raise InvalidInputError(f"{what} {value!r} contains {bad.group()!r}, which no {what} has")
    return value


def check_one_of(values: str | Iterable[str], allowed: Iterable[str], *, what: str) -> list[str]:
    """One value or several, each among `allowed` (the spec's enum), in the caller's order."""
    choices = list(allowed)
    given = [values] if isinstance(values, str) else list(values)
    if not given:
        raise InvalidInputError(f"{what} is empty; give one of {', '.join(choices)}")
    for value in given:
        if value not in choices:
            raise InvalidInputError(
                f"unknown {what} {value!r}; expected one of {', '.join(choices)}"
            )
    return list(dict.fromkeys(given))
