"""Generator compatibility: constructs Apple has published that the pinned generator refuses.

Each rule finds every instance of its construct (never a named schema), changes only
what openapi-python-client 0.29.1 would refuse or mis-name, and leaves the JSON the
SDK reads and sends as it was:

- `empty-enum`: `"enum": []` (five query parameters of the full 4.4.1 spec). The
  generator's validation refuses it ("List should have at least 1 item"). An enum that
  lists nothing documents nothing: the rule drops `enum` and keeps the type.
- `case-duplicate-enum`: values that give the same Python member name, such as
  `SubscriptionStatusUrlVersion`'s `V1`, `V2`, `v1`, `v2` ("Duplicate key V1 in enum").
  The rule names every member explicitly with `x-enum-varnames`, numbering repeats:
  `V1`, `V2`, `V1_2`, `V2_2`. The values, which are what goes over the wire, stay.
- `inline-name-clash`: the generator names an inline enum or object after its owner and
  property (`BuildBundle.type` becomes `BuildBundleType`); when that is already the name
  of a real schema or of another inline class, it drops a model ("conflicting enums",
  "duplicate models"). The rule titles the inline schema so that its class is
  `<Owner><Property>Enum` (or `Object`).

Applied last, after the overlay and the read rule (scripts/regen/lenient.py), on the
document the generator is given.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from openapi_python_client.strings import ClassName, pascal_case, snake_case

__all__ = ["RULES", "make_generator_compatible"]

RULES = ("empty-enum", "case-duplicate-enum", "inline-name-clash")

JSON = dict[str, Any]

# Where example data, not schemas, lives: never rewritten.
_NOT_SCHEMAS = frozenset({"example", "examples", "x-enum-varnames"})
_FIELD_PREFIX = "field_"  # the generator's default `field_prefix`


def _dicts(node: Any) -> Iterator[JSON]:
    """Every object in the document outside example data, parents first."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in _NOT_SCHEMAS:
                yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def _drop_empty_enums(document: JSON) -> None:
    for node in _dicts(document):
        if node.get("enum") == []:
            del node["enum"]


def _member_key(value: str, index: int) -> str:
    """The member name the generator derives from a string enum value."""
    key = value.upper() if value and value[0].isalpha() else f"VALUE_{index}"
    return snake_case(key).upper()


def _name_colliding_members(document: JSON) -> None:
    for node in _dicts(document):
        values = node.get("enum")
        if not isinstance(values, list) or "x-enum-varnames" in node:
            continue
        strings = [value for value in values if value is not None]
        if not strings or not all(isinstance(value, str) for value in strings):
            continue
        keys = [_member_key(value, index) for index, value in enumerate(strings)]
        if len(set(keys)) == len(keys):
            continue
        names: list[str] = []
        for key in keys:
            name, number = key, 1
            while name in names:
                number += 1
                name = f"{key}_{number}"
            names.append(name)
        # One name per non-null value: the generator names the values of a nullable
        # enum (null listed, as the read rule does) after taking null out.
        node["x-enum-varnames"] = names


def _class(name: str) -> str:
    return str(ClassName(name, _FIELD_PREFIX))


def _makes_class(schema: JSON) -> bool:
    return bool(schema.get("enum")) or schema.get("type") == "object" or "properties" in schema


def _fingerprint(schema: JSON, where: str) -> str:
    # Enums with equal values share one class; any other duplicate is a clash.
    if schema.get("enum"):
        return "enum:" + repr(sorted(str(value) for value in schema["enum"] if value is not None))
    return f"model:{where}"


def _inner(owner: str, label: str) -> str:
    """How the generator names a class inside `owner`: both parts Pascal-cased, joined."""
    return _class(f"{pascal_case(owner)}{pascal_case(label)}")


class _Namer:
    def __init__(self, schemas: JSON) -> None:
        self.taken: dict[str, str] = {
            _class(body.get("title") or name): _fingerprint(body, name)
            for name, body in schemas.items()
            if isinstance(body, dict)
        }

    def claim(self, owner: str, label: str, schema: JSON) -> str:
        """The class name of the inline `schema` at `label` under class `owner`, titling
        the schema first when the generator's own name is taken."""
        name = _inner(owner, schema.get("title") or label)
        mine = _fingerprint(schema, f"{owner}.{label}")
        if self.taken.get(name, mine) != mine:
            suffix = "Enum" if schema.get("enum") else "Object"
            base = f"{schema.get('title') or label}_{suffix}"
            title, number = base, 1
            while _inner(owner, title) in self.taken:
                number += 1
                title = f"{base}_{number}"
            schema["title"] = title
            name = _inner(owner, title)
        self.taken[name] = mine
        return name

    def visit(self, schema: JSON, owner: str) -> None:
        """Name every inline class inside the model class `owner`."""
        for prop, sub in schema.get("properties", {}).items():
            if isinstance(sub, dict):
                self.visit_property(sub, owner, prop)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            self.visit_property(extra, owner, "additional_property")

    def visit_property(self, schema: JSON, owner: str, label: str) -> None:
        if "$ref" in schema:
            return
        for key in ("oneOf", "anyOf"):
            for index, member in enumerate(schema.get(key, ())):
                if isinstance(member, dict) and "$ref" not in member:
                    self.visit_property(
                        member, owner, member.get("title") or f"{label}_type_{index}"
                    )
        items = schema.get("items")
        if schema.get("type") == "array" and isinstance(items, dict):
            self.visit_property(items, owner, f"{label}_item")
        if not _makes_class(schema):
            return
        if not schema.get("title"):
            # The generator names the non-null member of a nullable schema's union.
            if schema.get("enum") and None in schema["enum"]:
                label = f"{label}_type_1"
            elif schema.get("nullable") and not schema.get("enum"):
                label = f"{label}_type_0"
        name = self.claim(owner, label, schema)
        if not schema.get("enum"):
            self.visit(schema, name)


def _untangle_inline_names(document: JSON) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    namer = _Namer(schemas)
    for name, schema in schemas.items():
        if isinstance(schema, dict):
            namer.visit(schema, _class(schema.get("title") or name))


def make_generator_compatible(document: JSON) -> JSON:
    """Return a copy of `document` with every rule applied (see the module docstring)."""
    result = copy.deepcopy(document)
    _drop_empty_enums(result)
    _name_colliding_members(result)
    _untangle_inline_names(result)
    return result
