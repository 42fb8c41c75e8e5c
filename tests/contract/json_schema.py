"""OpenAPI 3.0 schemas of the slice as standalone JSON Schema for hypothesis-jsonschema."""

from __future__ import annotations

from typing import Any

__all__ = ["to_json_schema"]

JSON = dict[str, Any]

# Annotations that do not constrain instances; hypothesis-jsonschema would only carry them.
_ANNOTATIONS = frozenset(
    {"title", "description", "deprecated", "example", "externalDocs", "xml", "readOnly"}
)


def to_json_schema(spec: JSON, name: str) -> JSON:
    """Inline every `$ref` of schema `name`, turn `nullable` into JSON Schema null types,
    and drop `discriminator` (its `oneOf` members are told apart by their `type` enum)."""
    schemas: JSON = spec["components"]["schemas"]
    converted: JSON = _convert(schemas[name], schemas, (name,))
    return converted


def _convert(node: Any, schemas: JSON, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_convert(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = node["$ref"].rsplit("/", 1)[-1]
        if target in seen:
            raise ValueError(f"recursive schema {' -> '.join((*seen, target))} cannot be inlined")
        return _convert(schemas[target], schemas, (*seen, target))
    out: JSON = {}
    for key, value in node.items():
        if key in _ANNOTATIONS or key in {"nullable", "discriminator"}:
            continue
        if key in {"properties", "additionalProperties"} and isinstance(value, dict):
            if key == "properties":
                out[key] = {prop: _convert(sub, schemas, seen) for prop, sub in value.items()}
            else:
                out[key] = _convert(value, schemas, seen)
        else:
            out[key] = _convert(value, schemas, seen)
    if (
        "discriminator" in node
        and "oneOf" in out
        and _disjoint(node["discriminator"], out["oneOf"])
    ):
        out["anyOf"] = out.pop("oneOf")
    if node.get("nullable") is True:
        out = _nullable(out)
    return out


def _disjoint(discriminator: JSON, members: list[JSON]) -> bool:
    """Whether each member pins its own discriminator value. Such a `oneOf` is an `anyOf`
    (no instance can match two members), which validators check without trying every
    member. The overlay's catch-all member pins none, so the patched `oneOf` stays."""
    prop = discriminator["propertyName"]
    values = [
        tuple(member.get("properties", {}).get(prop, {}).get("enum", ())) for member in members
    ]
    return all(len(value) == 1 for value in values) and len(set(values)) == len(values)


def _nullable(schema: JSON) -> JSON:
    if "enum" in schema:
        schema = {**schema, "enum": [*schema["enum"], None]}
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    # No `type` of its own (e.g. an allOf wrapping a $ref): allow null beside it.
    return {"anyOf": [schema, {"type": "null"}]}
