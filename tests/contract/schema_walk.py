"""Locations inside a converted schema, and the matching places inside an instance.

A location is a tuple of steps from the schema's root: a property name, `ITEMS` for
an array's items, or `member(i)` for the i-th member of an `anyOf`/`oneOf`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openapi_schema_validator import OAS31Validator

__all__ = [
    "ITEMS",
    "Location",
    "Step",
    "children",
    "enum_locations",
    "instances_at",
    "member",
    "minimal_instance",
    "null_locations",
]

JSON = dict[str, Any]
Step = str
Location = tuple[Step, ...]

ITEMS: Step = "[]"
_MEMBER = "|"


def member(index: int) -> Step:
    return f"{_MEMBER}{index}"


def children(schema: JSON) -> Iterator[tuple[Step, JSON]]:
    for key in ("anyOf", "oneOf", "allOf"):
        for index, sub in enumerate(schema.get(key, ())):
            yield member(index), sub
    for name, sub in schema.get("properties", {}).items():
        yield name, sub
    if isinstance(schema.get("items"), dict):
        yield ITEMS, schema["items"]


def _accepts_null(schema: JSON) -> bool:
    return bool(OAS31Validator(schema).is_valid(None))


def enum_locations(schema: JSON, at: Location = ()) -> list[tuple[Location, JSON]]:
    """Every location holding a non-null enum value, with the schema found there."""
    found: list[tuple[Location, JSON]] = []
    if [value for value in schema.get("enum", ()) if value is not None]:
        found.append((at, schema))
    for step, sub in children(schema):
        found += enum_locations(sub, (*at, step))
    return found


def null_locations(patched: JSON, original: JSON, at: Location = ()) -> list[Location]:
    """Property locations where `patched` accepts null and `original` does not."""
    found: list[Location] = []
    originals = dict(children(original))
    for step, sub in children(patched):
        if step.startswith(_MEMBER):
            continue
        before = originals.get(step)
        if before is None:
            continue
        if _accepts_null(sub) and not _accepts_null(before):
            found.append((*at, step))
        found += null_locations(_unwrap(sub), _unwrap(before), (*at, step))
    return found


def _unwrap(schema: JSON) -> JSON:
    """The non-null schema inside a nullable `anyOf`/`allOf` wrapper, else the schema itself."""
    for key in ("anyOf", "allOf"):
        members = [m for m in schema.get(key, ()) if m != {"type": "null"}]
        if len(members) == 1 and len(schema[key]) <= 2 and set(schema) == {key}:
            return _unwrap(members[0])
    return schema


def instances_at(schema: JSON, instance: Any, location: Location) -> Iterator[tuple[Any, Step]]:
    """(parent container, key or index) for each value of `instance` at `location`.

    Union members are followed only where the instance is valid against that member,
    so each place is reported under the member that describes it."""
    if not location:
        return
    step, rest = location[0], location[1:]
    kids = dict(children(schema))
    sub = kids[step]
    if step.startswith(_MEMBER):
        if OAS31Validator(sub).is_valid(instance):
            yield from _descend(sub, instance, rest)
        return
    if step == ITEMS:
        if isinstance(instance, list):
            for index, item in enumerate(instance):
                if rest:
                    yield from instances_at(sub, item, rest)
                else:
                    yield instance, str(index)
        return
    if isinstance(instance, dict) and step in instance:
        if rest:
            yield from instances_at(sub, instance[step], rest)
        else:
            yield instance, step


def _descend(schema: JSON, instance: Any, rest: Location) -> Iterator[tuple[Any, Step]]:
    if rest:
        yield from instances_at(schema, instance, rest)


def minimal_instance(schema: JSON, location: Location = ()) -> Any:
    """The smallest valid instance of `schema` that still has a value at `location`."""
    step, rest = (location[0], location[1:]) if location else (None, ())
    kids = dict(children(schema))
    if step is not None and step.startswith(_MEMBER):
        return minimal_instance(kids[step], rest)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return minimal_instance(schema[key][0])
    if "enum" in schema:
        return next(value for value in schema["enum"] if value is not None)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(one for one in kind if one != "null")
    if kind == "object" or "properties" in schema:
        wanted = [*schema.get("required", ()), *([step] if step else [])]
        return {
            name: minimal_instance(kids[name], rest if name == step else ())
            for name in dict.fromkeys(wanted)
        }
    if kind == "array":
        return [minimal_instance(schema["items"], rest)] if step == ITEMS else []
    if kind == "string":
        return "2024-02-29T12:00:00+05:30" if schema.get("format") == "date-time" else "x"
    return {"boolean": True, "integer": 1, "number": 1.5}[str(kind)]
