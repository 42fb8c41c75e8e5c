"""Build minimal response documents from the slice that carry a chosen value at a chosen place.

Every place a response can hold an enum is found by walking the schemas from
the operation's 200 response, so a new enum in a future slice is tested
without anyone listing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["EnumSite", "document_with", "enum_sites"]

# A step into an instance: a property name, "[]" for an array item, or
# "<Schema>" for choosing that member of a oneOf.
Step = str


@dataclass(frozen=True)
class EnumSite:
    root: str
    route: tuple[Step, ...]
    values: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.root, *self.route))


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref is None:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, spec["components"]["schemas"][name]


def enum_sites(spec: dict[str, Any], root: str) -> Iterator[EnumSite]:
    """Every enum reachable from `root`, each named by the route to it."""

    def walk(
        schema: dict[str, Any], route: tuple[Step, ...], seen: frozenset[str]
    ) -> Iterator[EnumSite]:
        name, schema = _resolve(spec, schema)
        if name is not None:
            if name in seen:
                return
            seen = seen | {name}
        if "enum" in schema:
            yield EnumSite(root, route, tuple(schema["enum"]))
        for member in schema.get("oneOf", []) + schema.get("anyOf", []):
            member_name, _ = _resolve(spec, member)
            yield from walk(member, (*route, f"<{member_name}>"), seen)
        for member in schema.get("allOf", []):
            yield from walk(member, route, seen)
        for key, child in schema.get("properties", {}).items():
            yield from walk(child, (*route, key), seen)
        if "items" in schema:
            yield from walk(schema["items"], (*route, "[]"), seen)

    yield from walk({"$ref": f"#/components/schemas/{root}"}, (), frozenset())


def _minimal(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    _, schema = _resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in schema:
            return _minimal(spec, schema[combinator][0])
    kind = schema.get("type", "object")
    if kind == "object":
        return {
            key: _minimal(spec, schema["properties"][key]) for key in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "string":
        return "2024-01-02T03:04:05Z" if schema.get("format") == "date-time" else "x"
    return {"integer": 1, "number": 1.5, "boolean": False}[kind]


def document_with(spec: dict[str, Any], root: str, route: tuple[Step, ...], value: Any) -> Any:
    """A minimal valid instance of `root` that holds `value` at `route`."""

    def build(schema: dict[str, Any], steps: tuple[Step, ...], base: Any) -> Any:
        _, schema = _resolve(spec, schema)
        if not steps:
            return value
        step, rest = steps[0], steps[1:]
        if step.startswith("<"):
            wanted = step[1:-1]
            member = next(
                m
                for m in schema.get("oneOf", []) + schema.get("anyOf", [])
                if _resolve(spec, m)[0] == wanted
            )
            return build(member, rest, _minimal(spec, member))
        if step == "[]":
            return [build(schema["items"], rest, _minimal(spec, schema["items"]))]
        for member in schema.get("allOf", []):
            _, resolved = _resolve(spec, member)
            if step in resolved.get("properties", {}):
                schema = resolved
        child = schema["properties"][step]
        instance = dict(base) if isinstance(base, dict) else {}
        instance[step] = build(child, rest, _minimal(spec, child))
        return instance

    top = {"$ref": f"#/components/schemas/{root}"}
    return build(top, route, _minimal(spec, top))
