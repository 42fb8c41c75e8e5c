"""What every resource shares: the query encoding, parsing a document, value checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx
from asc_builds_generated.types import Unset

from ._body import decode_json
from ._exceptions import InvalidInputError, ResponseValidationError
from ._headers import request_id
from ._ids import check_sendable

__all__ = [
    "check_filter_value",
    "check_one_of",
    "identity_problem",
    "operation_with_query",
    "parse_document",
    "set_or_none",
]

_BAD_FILTER_CHARACTER = re.compile(r"[\s,\x00-\x1f\x7f]")

DocumentT = TypeVar("DocumentT")


def set_or_none(value: Any) -> Any:
    """The value, or None where the generated model says UNSET (read leniently: Apple may
    leave out what the spec lists)."""
    return None if isinstance(value, Unset) else value


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


def identity_problem(document: object, resource_type: str, resource_id: str | None) -> str | None:
    """What makes `document` not the answer asked for, or None.

    A read by id must hold that resource (`resource_id`), a listing (`resource_id` None)
    only resources of the type listed: a server, a proxy or a bug that answers with
    another resource must not pass for the one asked about.
    """
    if not isinstance(document, dict):
        return f"its body is a JSON {type(document).__name__}, not an object"
    data = document.get("data")
    if resource_id is None:
        if not isinstance(data, list):
            return "its body has no `data` list"
        for item in data:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind != resource_type:
                return f"it lists a resource of type {str(kind)[:40]!r}, not {resource_type!r}"
        return None
    if not isinstance(data, dict):
        return "its body has no `data` object"
    if data.get("type") != resource_type:
        return f"its data is of type {str(data.get('type'))[:40]!r}, not {resource_type!r}"
    if data.get("id") != resource_id:
        return f"its data is {str(data.get('id'))[:140]!r}, not {resource_id!r}, the one asked for"
    return None


def parse_document(
    response: httpx.Response,
    from_dict: Callable[[Mapping[str, Any]], DocumentT],
    what: str,
    *,
    resource_type: str,
    resource_id: str | None = None,
) -> DocumentT:
    """The body through a generated model's `from_dict` (`what`: the schema's name), once
    it is known to be JSON within the depth limit and the answer asked for (see
    `identity_problem`); ResponseValidationError says what was wrong otherwise."""
    rid = request_id(response.headers)
    problem: str | None
    try:
        document = decode_json(response.content)
    except ValueError as error:
        problem = f"is not JSON ({type(error).__name__}: {error})"
    else:
        problem = identity_problem(document, resource_type, resource_id)
        if problem is None:
            try:
                return from_dict(document)
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
                problem = f"is not a {what}: {type(error).__name__}: {error}"
        else:
            problem = f"is not the answer asked for: {problem}"
    suffix = f" [request id {rid}]" if rid else ""
    raise ResponseValidationError(
        f"{response.status_code} response {problem}{suffix}", request_id=rid
    )


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
    check_sendable(value, what=what)
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
