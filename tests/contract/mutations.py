"""Every drift Apple's live API shows, at every place of every response schema of the slice.

The places are enumerated from the slice (Apple's unpatched schemas, `$ref`s inlined), never
listed by hand, so a widened slice is covered without edits here. For each response schema
(the `$ref` of any operation's response), each place yields the mutations that apply to it:

- `null`: an optional property is null;
- `null-linkage`: a to-one relationship's `data` (a type-and-id identifier) is null;
- `absent`: an optional property is left out while its siblings are all present;
- `unknown-enum`: an enum holds a value the spec does not list;
- `unknown-key`: an object holds a key the spec does not declare;
- `unknown-included`: `included` holds a resource type the spec does not list.

Each mutation is applied to a body built for its place: the union members that lead
there, every object on the way (and the value there) with all its properties present,
their own content minimal, so "absent" removes a key among present siblings.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .json_schema import to_json_schema
from .schema_walk import ITEMS, Location, children
from .spec import apple_spec, schema_name

__all__ = [
    "UNKNOWN_ENUM_VALUE",
    "UNKNOWN_INCLUDED_TYPE",
    "UNKNOWN_KEY",
    "Mutation",
    "base_body",
    "distinct_count",
    "full_instance",
    "is_map",
    "mutated_body",
    "mutations",
    "response_roots",
    "root_schema",
    "schema_at",
    "unknown_value",
]

JSON = dict[str, Any]

UNKNOWN_ENUM_VALUE = "ASC_FUTURE_VALUE"
UNKNOWN_INCLUDED_TYPE = "ascFutureResources"
UNKNOWN_KEY = "ascFutureKey"
_MEMBER = "|"
_DATE_TIME = "2024-02-29T12:00:00+05:30"  # written back identically by isoformat()


@functools.cache
def response_roots() -> tuple[str, ...]:
    """Every schema an operation of the slice answers with, any status, sorted."""
    names: set[str] = set()
    for item in apple_spec()["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if isinstance(schema, dict) and "$ref" in schema:
                    names.add(schema_name(schema["$ref"]))
    return tuple(sorted(names))


@functools.cache
def root_schema(root: str) -> JSON:
    return to_json_schema(apple_spec(), root)


@dataclass(frozen=True)
class Mutation:
    root: str
    kind: str
    location: Location

    def __str__(self) -> str:
        return f"{self.kind} at {'.'.join((self.root, *self.location))}"


def _non_null(schema: JSON) -> JSON:
    """The schema without JSON Schema's null alternatives (Apple's own `nullable`)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        schema = {**schema, "type": next(one for one in kind if one != "null")}
    if "enum" in schema:
        schema = {**schema, "enum": [value for value in schema["enum"] if value is not None]}
    for key in ("anyOf", "oneOf"):
        members = [m for m in schema.get(key, ()) if m != {"type": "null"}]
        if key in schema and len(members) == 1 and len(schema) == 1:
            return _non_null(members[0])
    return schema


def _is_object(schema: JSON) -> bool:
    return schema.get("type") == "object" or "properties" in schema


def _is_identifier(schema: JSON) -> bool:
    properties = schema.get("properties")
    return (
        _is_object(schema)
        and isinstance(properties, dict)
        and {"type", "id"} <= properties.keys() <= {"type", "id", "meta"}
    )


def _minimal(schema: JSON) -> Any:
    """The smallest valid instance: required properties only, empty arrays."""
    schema = _non_null(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _minimal(schema[key][0])
    if "enum" in schema:
        return schema["enum"][0]
    if _is_object(schema):
        properties: JSON = schema.get("properties", {})
        return {name: _minimal(properties[name]) for name in schema.get("required", ())}
    if schema.get("type") == "array":
        return []
    kind = schema.get("type")
    if kind == "string":
        return _DATE_TIME if schema.get("format") == "date-time" else "x"
    return {"boolean": True, "integer": 1, "number": 1.5}.get(str(kind), "x")


def full_instance(schema: JSON, location: Location = ()) -> Any:
    """A valid instance holding a value at `location`: every object on the way there, and
    the value itself, has all its properties present (their own content minimal); at a
    union it takes the member `location` names, and arrays hold one item."""
    schema = _non_null(schema)
    step, rest = (location[0], location[1:]) if location else (None, ())
    kids = dict(children(schema))
    if step is not None and step.startswith(_MEMBER):
        return full_instance(kids[step], rest)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return full_instance(schema[key][0])
    if "enum" in schema:
        return schema["enum"][0]
    if _is_object(schema):
        properties: JSON = schema.get("properties", {})
        if properties:
            return {
                name: full_instance(sub, rest) if name == step else _filled(sub)
                for name, sub in properties.items()
            }
        extra = schema.get("additionalProperties")
        return {"key": full_instance(extra)} if isinstance(extra, dict) and extra else {}
    if schema.get("type") == "array":
        return [full_instance(schema.get("items", {}), rest if step == ITEMS else ())]
    return _minimal(schema)


def _filled(schema: JSON) -> Any:
    """A sibling of the path: present, with an array of one minimal item (so that the
    classes inside arrays are built too), else minimal."""
    schema = _non_null(schema)
    if schema.get("type") == "array":
        return [_minimal(schema.get("items", {}))]
    return _minimal(schema)


def _places(body: Any, location: Location) -> Iterator[tuple[Any, str | int]]:
    """(container, key) of the value at `location` in a body built for that location."""
    node: Any = body
    steps = [step for step in location if not step.startswith(_MEMBER)]
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if step == ITEMS:
            if not isinstance(node, list) or not node:
                return
            if last:
                yield node, 0
                return
            node = node[0]
        else:
            if not isinstance(node, dict) or step not in node:
                return
            if last:
                yield node, step
                return
            node = node[step]


def _sites(schema: JSON, at: Location = ()) -> Iterator[tuple[Location, JSON, bool]]:
    """(location, schema, optional) of every place; `optional` for a non-required property."""
    schema = _non_null(schema)
    required = set(schema.get("required", ()))
    for step, sub in children(schema):
        location = (*at, step)
        is_property = not step.startswith(_MEMBER) and step != ITEMS
        yield location, _non_null(sub), is_property and step not in required
        yield from _sites(sub, location)


def _is_included_member_type(location: Location) -> bool:
    # included / [] / |i / type: the value that picks the `included` member.
    return (
        len(location) == 4
        and location[:2] == ("included", ITEMS)
        and location[2].startswith(_MEMBER)
        and location[3] == "type"
    )


@functools.cache
def mutations(root: str) -> tuple[Mutation, ...]:
    """Every mutation of `root`'s bodies, in the order of the places in the schema."""
    schema = root_schema(root)
    found: list[Mutation] = []
    for location, sub, optional in _sites(schema):
        is_linkage = location[-1] == "data" and _is_identifier(sub)
        if optional or is_linkage:
            found.append(Mutation(root, "null-linkage" if is_linkage else "null", location))
        if optional:
            found.append(Mutation(root, "absent", location))
        if sub.get("enum") and not _is_included_member_type(location):
            found.append(Mutation(root, "unknown-enum", location))
        if _is_object(sub) and sub.get("additionalProperties") is not False:
            found.append(Mutation(root, "unknown-key", location))
    if _is_object(schema):
        found.append(Mutation(root, "unknown-key", ()))
    if "included" in schema.get("properties", {}):
        found += [
            Mutation(root, "unknown-included", ("included", "0")),
            Mutation(root, "unknown-included", ("included", "end")),
        ]
    return tuple(found)


def base_body(root: str, location: Location = ()) -> Any:
    return full_instance(root_schema(root), location)


def is_map(schema: JSON) -> bool:
    """An object whose keys are data (`entitlements`), its values of one declared schema."""
    extra = schema.get("additionalProperties")
    return not schema.get("properties") and isinstance(extra, dict) and bool(extra)


def unknown_value(schema: JSON) -> Any:
    """The value of an undeclared key in an object of `schema`."""
    if is_map(schema):
        # A new key of a map is one more entry of the declared value type.
        return full_instance(schema["additionalProperties"])
    return {"nested": [1, None, "text"], "flag": False}


def mutated_body(mutation: Mutation) -> Any:
    """The full body of the mutation's route, changed as the mutation says."""
    root, location = mutation.root, mutation.location
    if mutation.kind == "unknown-included":
        body = base_body(root)
        unknown = {
            "type": UNKNOWN_INCLUDED_TYPE,
            "id": "f1",
            "attributes": {"name": "future", "count": 2, "gone": None},
            "relationships": {"owner": {"data": {"type": "apps", "id": "a1"}}},
            "links": {"self": "https://api.appstoreconnect.apple.com/v1/future/f1"},
        }
        included = body.setdefault("included", [])
        included.insert(0 if location[-1] == "0" else len(included), unknown)
        return body
    body = base_body(root, location)
    if not location:
        body[UNKNOWN_KEY] = unknown_value(root_schema(root))
        return body
    schema = schema_at(root, location)
    for container, key in list(_places(body, location)):
        if mutation.kind in ("null", "null-linkage"):
            container[key] = None
        elif mutation.kind == "absent":
            del container[key]
        elif mutation.kind == "unknown-enum":
            container[key] = UNKNOWN_ENUM_VALUE
        elif mutation.kind == "unknown-key" and isinstance(container[key], dict):
            container[key][UNKNOWN_KEY] = unknown_value(schema)
    return body


def schema_at(root: str, location: Location) -> JSON:
    schema = root_schema(root)
    for step in location:
        schema = dict(children(_non_null(schema)))[step]
    return _non_null(schema)


def distinct_count(bodies: list[tuple[str, Any]]) -> int:
    """How many different (root, body) pairs there are."""
    return len({(root, json.dumps(body, sort_keys=True)) for root, body in bodies})
