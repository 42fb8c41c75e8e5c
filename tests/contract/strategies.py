"""Hypothesis strategies for the operation's bodies, driven by the slice's schemas.

hypothesis-jsonschema draws every leaf (strings with their formats, numbers, enums);
objects, arrays and unions are composed here with `st.fixed_dictionaries`, because
hypothesis-jsonschema re-canonicalises object schemas on each draw and took over 2 s
per `BuildResponse` example, which no CI budget allows.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from openapi_schema_validator import OAS31Validator

from .json_schema import to_json_schema
from .spec import apple_spec, request_schema_name, response_schema_name

__all__ = [
    "MAX_ARRAY_ITEMS",
    "build_responses",
    "error_responses",
    "from_json_schema",
    "update_requests",
]

JSON = dict[str, Any]

# Arrays in Apple's responses are unbounded; three items exercise lists and mixed `included`
# members while keeping each example small.
MAX_ARRAY_ITEMS = 3

_STRUCTURAL = frozenset({"properties", "required", "additionalProperties", "items"})


def from_json_schema(schema: JSON) -> st.SearchStrategy[Any]:
    if "anyOf" in schema:
        return st.one_of([from_json_schema(member) for member in schema["anyOf"]])
    if "oneOf" in schema:
        members = schema["oneOf"]
        validators = [OAS31Validator(member) for member in members]
        return st.one_of([from_json_schema(member) for member in members]).filter(
            lambda value: sum(v.is_valid(value) for v in validators) == 1
        )
    if "allOf" in schema:
        if len(schema["allOf"]) != 1:
            raise ValueError("only single-member allOf (a wrapped $ref) is used by the slice")
        return from_json_schema(schema["allOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_json_schema({**schema, "type": one}) for one in kind])
    if kind == "object" or "properties" in schema:
        return _object(schema)
    if kind == "array":
        return st.lists(from_json_schema(schema.get("items", {})), max_size=MAX_ARRAY_ITEMS)
    return _leaf(json.dumps(schema, sort_keys=True))


@functools.cache
def _leaf(schema_text: str) -> st.SearchStrategy[Any]:
    schema = json.loads(schema_text)
    if _STRUCTURAL & schema.keys():
        raise ValueError(f"not a leaf schema: {schema_text}")
    return from_schema(schema)


def _object(schema: JSON) -> st.SearchStrategy[JSON]:
    properties: JSON = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = st.fixed_dictionaries(
        {name: from_json_schema(sub) for name, sub in properties.items() if name in required},
        optional={
            name: from_json_schema(sub) for name, sub in properties.items() if name not in required
        },
    )
    extra = schema.get("additionalProperties")
    if not isinstance(extra, dict) or properties:
        # Undeclared keys are drift, added by the drift mutator, not part of valid bodies.
        return fixed
    return st.dictionaries(st.text(max_size=12), from_json_schema(extra), max_size=MAX_ARRAY_ITEMS)


@functools.cache
def _named(status: int | None) -> st.SearchStrategy[JSON]:
    spec = apple_spec()
    name = request_schema_name(spec) if status is None else response_schema_name(spec, status)
    return from_json_schema(to_json_schema(spec, name))


def build_responses() -> st.SearchStrategy[JSON]:
    """Bodies of the 200 response, valid against the unpatched slice."""
    return _named(200)


def error_responses(status: int) -> st.SearchStrategy[JSON]:
    """Bodies of a declared error status, valid against the unpatched slice."""
    return _named(status)


def update_requests() -> st.SearchStrategy[JSON]:
    """Request bodies, valid against the unpatched slice."""
    return _named(None)
