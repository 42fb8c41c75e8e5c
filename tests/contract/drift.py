"""Valid bodies changed the way Apple's live API drifts from its published spec.

Apple ships new enum values, new `included` resource types, new attributes and
relationships before the spec lists them, sends null for values the spec does not
declare nullable (the overlay's nullable patches name them), and omits `detail`
from errors. Every location is found in the slice, never listed by hand.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from hypothesis import strategies as st

from .json_schema import to_json_schema
from .schema_walk import Location, enum_locations, instances_at, null_locations
from .spec import apple_spec, patched_spec, response_schema_name
from .strategies import build_responses, error_responses

__all__ = [
    "UNKNOWN_ENUM_VALUE",
    "UNKNOWN_INCLUDED_TYPE",
    "drifted_build_responses",
    "drifted_error_responses",
    "mutable_enum_locations",
    "nullable_by_overlay",
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


@functools.cache
def nullable_by_overlay() -> tuple[Location, ...]:
    """Locations the overlay or the read rule made nullable (Apple sends null there)."""
    spec, patched = apple_spec(), patched_spec()
    name = response_schema_name(spec, 200)
    return tuple(null_locations(to_json_schema(patched, name), to_json_schema(spec, name)))


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


def _set_null(body: JSON, location: Location) -> None:
    """Put null at a property location, creating the objects on the way (Apple sends them)."""
    node: Any = body
    for step in location[:-1]:
        if not isinstance(node, dict) or step.startswith(("|", "[]")):
            return
        node = node.setdefault(step, {})
    if isinstance(node, dict):
        node[location[-1]] = None


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
def drifted_build_responses(draw: st.DrawFn) -> JSON:
    body = copy.deepcopy(draw(build_responses()))
    set_unknown_enums(body, mutable_enum_locations())
    for location in draw(st.sets(st.sampled_from(nullable_by_overlay()), min_size=1)):
        _set_null(body, location)
    _extra_members(draw, body["data"])
    for item in body.get("included", []):
        _extra_members(draw, item)
    unknown: JSON = {"type": UNKNOWN_INCLUDED_TYPE, "id": draw(st.text(min_size=1, max_size=8))}
    _extra_members(draw, unknown)
    included = body.setdefault("included", [])
    included.insert(draw(st.integers(0, len(included))), unknown)
    body[f"{_EXTRA_PREFIX}TopLevel"] = draw(_json_values)
    return body


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
