"""Valid bodies changed the way Apple's live API drifts from its published spec.

Apple ships new enum values, new `included` resource types, new attributes and
relationships before the spec lists them, sends null for values the spec does not
declare nullable (the read rule of scripts/regen/lenient.py allows it), and omits
`detail` from errors. Every location is found in the slice, never listed by hand.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from hypothesis import strategies as st

from .json_schema import to_json_schema
from .mutations import is_map, mutations, root_schema, schema_at, unknown_value
from .schema_walk import Location, enum_locations, instances_at
from .spec import apple_spec, response_schema_name
from .strategies import error_responses, from_json_schema

__all__ = [
    "UNKNOWN_ENUM_VALUE",
    "UNKNOWN_INCLUDED_TYPE",
    "drifted_error_responses",
    "drifted_responses",
    "mutable_enum_locations",
    "response_schema",
    "set_unknown_enums",
]

JSON = dict[str, Any]

UNKNOWN_ENUM_VALUE = "ASC_FUTURE_VALUE"
UNKNOWN_INCLUDED_TYPE = "ascFutureResources"
_EXTRA_PREFIX = "ascFuture"

_json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
_json_values = st.recursive(
    _json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@functools.cache
def response_schema(status: int = 200) -> JSON:
    """The converted schema of a response body in Apple's unpatched slice."""
    spec = apple_spec()
    return to_json_schema(spec, response_schema_name(spec, status))


@functools.cache
def mutable_enum_locations() -> tuple[Location, ...]:
    """Every enum in the 200 body's closure, except the `type` that picks an `included`
    member: changing that one is the unknown-included-type drift, not an enum drift."""
    schema = response_schema(200)
    return tuple(
        location
        for location, _ in enum_locations(schema)
        if not (
            len(location) >= 3 and location[:2] == ("included", "[]") and location[3:] == ("type",)
        )
    )


def set_unknown_enums(body: JSON, locations: tuple[Location, ...]) -> int:
    """Replace every enum value found at `locations` in place; return how many changed."""
    schema = response_schema(200)
    places = [place for location in locations for place in instances_at(schema, body, location)]
    for parent, key in places:
        if isinstance(parent, list):
            parent[int(key)] = UNKNOWN_ENUM_VALUE
        else:
            parent[key] = UNKNOWN_ENUM_VALUE
    return len(places)


def _extra_members(draw: st.DrawFn, target: JSON) -> None:
    attributes = target.setdefault("attributes", {})
    if isinstance(attributes, dict):  # not when the drift made it null
        attributes[f"{_EXTRA_PREFIX}Attribute"] = draw(_json_values)
    relationships = target.setdefault("relationships", {})
    if not isinstance(relationships, dict):
        return
    relationships[f"{_EXTRA_PREFIX}Relationship"] = {
        "data": {"type": UNKNOWN_INCLUDED_TYPE, "id": draw(st.text(min_size=1, max_size=8))},
        "links": {"related": "https://api.appstoreconnect.apple.com/v1/future"},
    }


@st.composite
def drifted_error_responses(draw: st.DrawFn, status: int) -> JSON:
    body = copy.deepcopy(draw(error_responses(status)))
    errors = body.setdefault("errors", [])
    if not errors:
        errors.append({"status": str(status), "code": "ENTITY_ERROR", "title": "t", "detail": "d"})
    for error in errors:
        # Apple's real 409s come without `detail`.
        error.pop("detail", None)
        error[f"{_EXTRA_PREFIX}Field"] = draw(_json_values)
    return body


@functools.cache
def _root_strategy(root: str) -> st.SearchStrategy[Any]:
    return from_json_schema(root_schema(root))


@functools.cache
def _null_places(root: str) -> tuple[Location, ...]:
    return tuple(m.location for m in mutations(root) if m.kind in ("null", "null-linkage"))


@functools.cache
def _enum_places(root: str) -> tuple[Location, ...]:
    return tuple(m.location for m in mutations(root) if m.kind == "unknown-enum")


@functools.cache
def _key_places(root: str) -> tuple[Location, ...]:
    return tuple(m.location for m in mutations(root) if m.kind == "unknown-key" and m.location)


def _add_unknown_keys(draw: st.DrawFn, root: str, body: JSON) -> None:
    schema = root_schema(root)
    body[f"{_EXTRA_PREFIX}TopLevel"] = draw(_json_values)
    places = _key_places(root)
    for location in draw(st.sets(st.sampled_from(places), max_size=12)) if places else ():
        at = schema_at(root, location)
        # A declared map (`entitlements`) takes one more entry of its value type.
        extra = unknown_value(at) if is_map(at) else draw(_json_values)
        for parent, key in list(instances_at(schema, body, location)):
            target = parent[int(key)] if isinstance(parent, list) else parent[key]
            if isinstance(target, dict):
                target[f"{_EXTRA_PREFIX}Key"] = copy.deepcopy(extra)


def _set_at(schema: JSON, body: JSON, location: Location, value: Any) -> None:
    for parent, key in list(instances_at(schema, body, location)):
        if isinstance(parent, list):
            parent[int(key)] = value
        else:
            parent[key] = value


@st.composite
def drifted_responses(draw: st.DrawFn, root: str) -> JSON:
    """A valid body of `root` (any response schema of the slice) drifted at random places:
    unknown enum values, nulls, unknown keys at any depth, an unknown `included` type."""
    schema = root_schema(root)
    body: JSON = copy.deepcopy(draw(_root_strategy(root)))
    enums = _enum_places(root)
    for location in draw(st.sets(st.sampled_from(enums), max_size=8)) if enums else ():
        _set_at(schema, body, location, UNKNOWN_ENUM_VALUE)
    nulls = _null_places(root)
    for location in draw(st.sets(st.sampled_from(nulls), max_size=8)) if nulls else ():
        _set_at(schema, body, location, None)
    _add_unknown_keys(draw, root, body)
    if "included" in schema.get("properties", {}):
        unknown: JSON = {"type": UNKNOWN_INCLUDED_TYPE, "id": draw(st.text(min_size=1, max_size=8))}
        _extra_members(draw, unknown)
        included = body.setdefault("included", [])
        # `included` itself may have been nulled above; a null list takes no member.
        if included is not None:
            included.insert(draw(st.integers(0, len(included))), unknown)
    return body
