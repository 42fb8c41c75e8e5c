"""A small, strict validator for the OpenAPI 3.0 schema subset the pinned slice uses.

The fake ships in the wheel, where openapi-core and jsonschema are not available, so
request bodies are checked here. Keywords that would change the verdict but are not
implemented raise ``UnsupportedSchemaError`` instead of being ignored silently; pure
annotations (``title``, ``format``, ``discriminator``, ...) are skipped, as
``openapi_schema_validator.OAS30Validator`` does without a format checker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import attrs

__all__ = [
    "SchemaValidator",
    "UnsupportedSchemaError",
    "Violation",
    "load_pinned_slice",
]

_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "format",
        "deprecated",
        "discriminator",
        "example",
        "externalDocs",
        "xml",
        "default",
    }
)
_ASSERTIONS = frozenset(
    {
        "type",
        "properties",
        "required",
        "enum",
        "nullable",
        "$ref",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
        "items",
    }
)


class UnsupportedSchemaError(ValueError):
    """The schema uses a keyword this validator does not implement."""


@attrs.frozen
class Violation:
    """One way an instance fails its schema.

    ``pointer`` is a JSON pointer into the instance (``/data/attributes/expired``),
    ``keyword`` the schema keyword that failed (``type``, ``enum``, ``required``, ...).
    For ``required`` the pointer names the missing member.
    """

    pointer: str
    keyword: str
    message: str


@cache
def load_pinned_slice() -> Mapping[str, Any]:
    """Apple's pinned slice as shipped inside ``asc_builds_generated``."""
    text = resources.files("asc_builds_generated").joinpath("openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _json_type_matches(expected: str, instance: object) -> bool:
    # bool is a subclass of int in Python but a distinct type in JSON; OAS30Validator
    # also does not accept 1.0 as an integer.
    if expected == "object":
        return isinstance(instance, dict)
    if expected == "array":
        return isinstance(instance, list)
    if expected == "string":
        return isinstance(instance, str)
    if expected == "boolean":
        return isinstance(instance, bool)
    if expected == "integer":
        return isinstance(instance, int) and not isinstance(instance, bool)
    if expected == "number":
        return isinstance(instance, int | float) and not isinstance(instance, bool)
    raise UnsupportedSchemaError(f"unknown type {expected!r}")


def _json_equal(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class SchemaValidator:
    """Validates JSON values against schemas of one OpenAPI 3.0 document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document

    def component(self, name: str) -> Mapping[str, Any]:
        schema: Mapping[str, Any] = self._document["components"]["schemas"][name]
        return schema

    def validate(self, instance: object, schema: Mapping[str, Any]) -> list[Violation]:
        """Every violation found; an empty list means the instance is valid."""
        return list(self._check(instance, schema, ""))

    def _resolve(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise UnsupportedSchemaError(f"only local $ref is supported, got {ref!r}")
        node: Any = self._document
        for raw in ref[2:].split("/"):
            node = node[raw.replace("~1", "/").replace("~0", "~")]
        resolved: Mapping[str, Any] = node
        return resolved

    def _check(
        self, instance: object, schema: Mapping[str, Any], pointer: str
    ) -> Iterator[Violation]:
        unknown = {k for k in schema if not k.startswith("x-")} - _ANNOTATIONS - _ASSERTIONS
        if unknown:
            raise UnsupportedSchemaError(f"unsupported keywords {sorted(unknown)}")
        if "$ref" in schema:
            # OAS 3.0: siblings of $ref are ignored.
            yield from self._check(instance, self._resolve(schema["$ref"]), pointer)
            return
        if instance is None and schema.get("nullable") is True:
            if "enum" in schema and not any(v is None for v in schema["enum"]):
                yield Violation(pointer, "enum", "null is not one of the allowed values")
            return
        expected = schema.get("type")
        if expected is not None and not _json_type_matches(expected, instance):
            yield Violation(pointer, "type", f"expected {expected}")
            return
        if "enum" in schema and not any(_json_equal(instance, v) for v in schema["enum"]):
            yield Violation(pointer, "enum", f"must be one of {list(schema['enum'])}")
        yield from self._check_combinators(instance, schema, pointer)
        if isinstance(instance, dict):
            yield from self._check_object(instance, schema, pointer)
        if isinstance(instance, list) and "items" in schema:
            for index, item in enumerate(instance):
                yield from self._check(item, schema["items"], f"{pointer}/{index}")

    def _check_combinators(
        self, instance: object, schema: Mapping[str, Any], pointer: str
    ) -> Iterator[Violation]:
        for sub in schema.get("allOf", ()):
            yield from self._check(instance, sub, pointer)
        if "anyOf" in schema and not any(
            not self._violations_at(instance, sub, pointer) for sub in schema["anyOf"]
        ):
            yield Violation(pointer, "anyOf", "matches none of the alternatives")
        if "oneOf" in schema:
            matches = sum(
                1 for sub in schema["oneOf"] if not self._violations_at(instance, sub, pointer)
            )
            if matches != 1:
                yield Violation(pointer, "oneOf", f"matches {matches} alternatives, not exactly 1")

    def _violations_at(
        self, instance: object, schema: Mapping[str, Any], pointer: str
    ) -> list[Violation]:
        return list(self._check(instance, schema, pointer))

    def _check_object(
        self, instance: Mapping[str, object], schema: Mapping[str, Any], pointer: str
    ) -> Iterator[Violation]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in instance:
                yield Violation(f"{pointer}/{_escape(name)}", "required", "is required")
        additional = schema.get("additionalProperties", True)
        for name, value in instance.items():
            child = f"{pointer}/{_escape(name)}"
            if name in properties:
                yield from self._check(value, properties[name], child)
            elif additional is False:
                yield Violation(child, "additionalProperties", "is not allowed")
            elif isinstance(additional, Mapping):
                yield from self._check(value, additional, child)
