"""The generator compatibility rule: inline enums named apart from real schemas."""

from __future__ import annotations

import copy
from typing import Any

from regen.compat import generator_compatible

ENUM = {"type": "string", "enum": ["things"]}


def _document(**schemas: Any) -> dict[str, Any]:
    return {"components": {"schemas": schemas}}


def test_an_inline_enum_named_like_a_real_schema_gets_its_own_title() -> None:
    document = _document(
        Thing={
            "type": "object",
            "properties": {
                "type": dict(ENUM),
                "attributes": {"type": "object", "properties": {"kind": dict(ENUM)}},
            },
        },
        ThingType={"type": "string", "enum": ["A", "B"]},
        ThingAttributesKind={"type": "string", "enum": ["C"]},
    )
    before = copy.deepcopy(document)
    result = generator_compatible(document)
    thing = result["components"]["schemas"]["Thing"]
    assert thing["properties"]["type"]["title"] == "ThingTypeValue"
    nested = thing["properties"]["attributes"]["properties"]["kind"]
    assert nested["title"] == "ThingAttributesKindValue"
    assert document == before, "the input is not modified"


def test_no_clash_and_titled_enums_are_left_alone() -> None:
    titled = {**ENUM, "title": "Chosen"}
    document = _document(
        Thing={"type": "object", "properties": {"type": ENUM}},
        Other={"type": "object", "properties": {"type": titled}},
        OtherType={"type": "string", "enum": ["X"]},
    )
    assert generator_compatible(document) == document
