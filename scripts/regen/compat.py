"""Generator compatibility rules: generic rewrites that let openapi-python-client
generate a slice it would otherwise refuse, changing no wire format.

One rule so far, `name-inline-enums-apart`: the generator names an inline enum after
its place (`InAppPurchase.type` becomes `InAppPurchaseType`); when that name is also a
real schema's, it reports "conflicting enums" and drops the whole model (Apple's 3.7.0
spec reaches `InAppPurchase` through `GET /v1/apps`). Such an enum gets a `title`, its
own class name: the place's name plus `Value`. An enum that already has a title (an
overlay patch named it) is left alone.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["generator_compatible", "inline_enum_places"]

JSON = dict[str, Any]


def _pascal(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def inline_enum_places(schema: Any, name: str) -> Iterator[tuple[JSON, str]]:
    """(enum schema, the class name the generator gives it) for every inline enum
    under the properties of `schema`, at any depth of inline objects."""
    if not isinstance(schema, dict):
        return
    base = _pascal(schema["title"]) if isinstance(schema.get("title"), str) else name
    for prop, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, dict) or "$ref" in sub:
            continue
        place = base + _pascal(prop)
        if "enum" in sub:
            yield sub, place
        elif sub.get("type") == "object":
            yield from inline_enum_places(sub, place)


def generator_compatible(document: JSON) -> JSON:
    """A copy of `document` the pinned generator accepts; the input is not modified."""
    result = copy.deepcopy(document)
    schemas: JSON = result.get("components", {}).get("schemas", {})
    taken = {_pascal(name) for name in schemas}
    for name, schema in schemas.items():
        for enum, place in inline_enum_places(schema, _pascal(name)):
            if place in taken and "title" not in enum:
                enum["title"] = f"{place}Value"
    return result
