"""The read rule (scripts/regen/lenient.py) on small synthetic slices and on the pinned one."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from regen.generate import generator_input
from regen.lenient import UNKNOWN_INCLUDED, read_leniently, request_and_response_schemas

from ..checkouts import ROOT, copy_checkout, run_regenerate

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_body(schema: Json) -> Json:
    return {"content": {"application/json": {"schema": schema}}}


def _identifier(type_name: str) -> Json:
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": [type_name]}, "id": {"type": "string"}},
        "required": ["id", "type"],
    }


def synthetic_slice() -> Json:
    """Two reads and a write. `Shared` is reached from the request and from a response."""
    schemas: Json = {
        "Kind": {"type": "string", "enum": ["A", "B"]},
        "Shared": {
            "type": "object",
            "properties": {"note": {"type": "string"}, "kind": _ref("Kind")},
            "required": ["note"],
        },
        "Widget": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["widgets"]},
                "id": {"type": "string"},
                "attributes": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "state": {"type": "string", "enum": ["ON", "OFF"]},
                        "shared": _ref("Shared"),
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "relationships": {
                    "type": "object",
                    "properties": {
                        "owner": {"type": "object", "properties": {"data": _identifier("owners")}},
                        "parts": {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _identifier("parts")}
                            },
                        },
                    },
                },
            },
            "required": ["id", "type"],
        },
        "Owner": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["owners"]},
                "id": {"type": "string"},
                "attributes": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
            "required": ["id", "type"],
        },
        "WidgetResponse": {
            "type": "object",
            "properties": {
                "data": _ref("Widget"),
                "included": {"type": "array", "items": _ref("Owner")},
            },
            "required": ["data"],
        },
        "WidgetsResponse": {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": _ref("Widget")},
                "included": {"type": "array", "items": {"oneOf": [_ref("Owner")]}},
            },
            "required": ["data"],
        },
        "WidgetOwnerLinkageResponse": {
            "type": "object",
            "properties": {"data": _identifier("owners")},
            "required": ["data"],
        },
        "WidgetUpdateRequest": {
            "type": "object",
            "properties": {
                "data": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["widgets"]},
                        "id": {"type": "string"},
                        "attributes": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "shared": _ref("Shared")},
                        },
                        "relationships": {
                            "type": "object",
                            "properties": {
                                "owner": {
                                    "type": "object",
                                    "properties": {"data": _identifier("owners")},
                                    "required": ["data"],
                                }
                            },
                        },
                    },
                    "required": ["id", "type"],
                }
            },
            "required": ["data"],
        },
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": "synthetic", "version": "1"},
        "servers": [{"url": "https://api.example.com/"}],
        "paths": {
            "/v1/widgets/{id}": {
                "get": {
                    "operationId": "widgets_getInstance",
                    "responses": {
                        "200": {"description": "ok", **_json_body(_ref("WidgetResponse"))}
                    },
                },
                "patch": {
                    "operationId": "widgets_updateInstance",
                    "requestBody": {"required": True, **_json_body(_ref("WidgetUpdateRequest"))},
                    "responses": {
                        "200": {"description": "ok", **_json_body(_ref("WidgetResponse"))}
                    },
                },
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            },
            "/v1/widgets": {
                "get": {
                    "operationId": "widgets_getCollection",
                    "responses": {
                        "200": {"description": "ok", **_json_body(_ref("WidgetsResponse"))}
                    },
                }
            },
            "/v1/widgets/{id}/relationships/owner": {
                "get": {
                    "operationId": "widgets_owner_getToOneRelationship",
                    "responses": {
                        "200": {
                            "description": "ok",
                            **_json_body(_ref("WidgetOwnerLinkageResponse")),
                        }
                    },
                },
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            },
        },
        "components": {"schemas": schemas},
    }


def test_the_rule_loosens_every_response_schema_at_every_depth() -> None:
    apple = synthetic_slice()
    loosened = read_leniently(apple)
    schemas = loosened["components"]["schemas"]
    widget = schemas["Widget"]["properties"]
    assert "nullable" not in widget["type"] and "nullable" not in widget["id"], "required stay"
    attributes = widget["attributes"]
    assert attributes["nullable"] is True
    inner = attributes["properties"]
    assert inner["name"] == {"type": "string", "nullable": True}
    assert inner["state"]["enum"] == ["ON", "OFF", None], "null is one of a nullable enum's values"
    assert inner["shared"] == {"allOf": [_ref("Shared")], "nullable": True}
    assert inner["tags"]["nullable"] is True
    shared = schemas["Shared"]["properties"]
    assert shared["kind"] == {"allOf": [_ref("Kind")], "nullable": True}
    assert "nullable" not in shared["note"], "required, so not loosened"
    assert schemas["Kind"] == apple["components"]["schemas"]["Kind"], "an enum schema is unchanged"


def test_to_one_linkage_may_be_null_even_when_required() -> None:
    schemas = read_leniently(synthetic_slice())["components"]["schemas"]
    owner = schemas["Widget"]["properties"]["relationships"]["properties"]["owner"]
    assert owner["properties"]["data"]["nullable"] is True
    linkage = schemas["WidgetOwnerLinkageResponse"]
    assert linkage["required"] == ["data"]
    assert linkage["properties"]["data"]["nullable"] is True
    # To-many linkage is an array of identifiers: an empty list, never null.
    parts = schemas["Widget"]["properties"]["relationships"]["properties"]["parts"]
    assert parts["properties"]["data"]["items"]["properties"]["id"] == {"type": "string"}


def test_every_included_array_accepts_unknown_resource_types() -> None:
    schemas = read_leniently(synthetic_slice())["components"]["schemas"]
    catch_all = _ref(UNKNOWN_INCLUDED)
    single = schemas["WidgetResponse"]["properties"]["included"]["items"]
    assert single == {"oneOf": [_ref("Owner"), catch_all]}, "a lone $ref becomes a union"
    several = schemas["WidgetsResponse"]["properties"]["included"]["items"]
    assert several["oneOf"] == [_ref("Owner"), catch_all], "the catch-all comes last"
    assert schemas[UNKNOWN_INCLUDED]["required"] == ["id", "type"]


def test_request_schemas_stay_exactly_as_apple_wrote_them() -> None:
    apple = synthetic_slice()
    loosened = read_leniently(apple)
    schemas = loosened["components"]["schemas"]
    original = apple["components"]["schemas"]
    # The shared schema is split: the request side gets Apple's strict version.
    assert schemas["SharedStrict"] == original["Shared"]
    assert schemas["Shared"] != original["Shared"]
    request = copy.deepcopy(original["WidgetUpdateRequest"])
    attributes = request["properties"]["data"]["properties"]["attributes"]
    attributes["properties"]["shared"] = _ref("SharedStrict")
    assert schemas["WidgetUpdateRequest"] == request, "only the reference to the copy changed"
    assert "KindStrict" not in schemas, "an unchanged shared schema is not copied"
    patch = loosened["paths"]["/v1/widgets/{id}"]["patch"]
    assert patch["requestBody"] == apple["paths"]["/v1/widgets/{id}"]["patch"]["requestBody"]
    requests, responses = request_and_response_schemas(loosened)
    assert "Shared" not in requests and "SharedStrict" not in responses


def test_the_rule_is_idempotent_and_leaves_its_input_alone() -> None:
    apple = synthetic_slice()
    before = copy.deepcopy(apple)
    once = read_leniently(apple)
    assert apple == before
    assert read_leniently(once) == once


def _walk_properties(node: Any, schemas: Json, seen: set[str], path: str) -> list[tuple[str, Json]]:
    """(path, property schema) of every optional property reached from `node`."""
    found: list[tuple[str, Json]] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += _walk_properties(item, schemas, seen, f"{path}[{index}]")
        return found
    if not isinstance(node, dict):
        return found
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            found += _walk_properties(schemas[name], schemas, seen, name)
        return found
    required = set(node.get("required", ()))
    for name, sub in node.get("properties", {}).items():
        if name not in required:
            found.append((f"{path}.{name}", sub))
    for key, value in node.items():
        if key != "enum":
            found += _walk_properties(value, schemas, seen, f"{path}.{key}")
    return found


def _accepts_null(schema: Json) -> bool:
    if schema.get("nullable") is not True:
        return False
    return "enum" not in schema or None in schema["enum"]


def test_on_the_pinned_slice_every_optional_response_property_may_be_null() -> None:
    apple = json.loads((ROOT / "openapi" / "slice.json").read_text("utf-8"))
    spec = generator_input(apple, ROOT / "openapi" / "overlay.json")
    schemas = spec["components"]["schemas"]
    _, responses = request_and_response_schemas(spec)
    properties = _walk_properties(
        [schemas[name] for name in sorted(responses)], schemas, set(responses), "responses"
    )
    assert len(properties) > 400
    strict = [path for path, schema in properties if not _accepts_null(schema)]
    assert strict == []


def test_on_the_pinned_slice_request_schemas_are_apples() -> None:
    apple = json.loads((ROOT / "openapi" / "slice.json").read_text("utf-8"))
    spec = generator_input(apple, ROOT / "openapi" / "overlay.json")
    requests, _ = request_and_response_schemas(spec)
    assert requests, "the slice has a request body"
    for name in requests:
        assert spec["components"]["schemas"][name] == apple["components"]["schemas"][name], name


def test_a_synthetic_slice_generates_strict_requests_and_lenient_responses(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path, with_generated=False)
    (root / "openapi" / "slice.json").write_text(json.dumps(synthetic_slice(), indent=2), "utf-8")
    overlay = {"overlay": "1.0.0", "info": {"title": "none", "version": "1"}, "actions": []}
    (root / "openapi" / "overlay.json").write_text(json.dumps(overlay), "utf-8")
    result = run_regenerate(root)
    assert result.returncode == 0, result.stderr
    probe = """
from asc_builds_generated.models import (
    SharedStrict, Widget, WidgetOwnerLinkageResponse, WidgetResponse, WidgetUpdateRequestData,
    WidgetUpdateRequestDataAttributes,
)
body = {
    "data": {
        "type": "widgets", "id": "w1",
        "attributes": {"name": None, "state": None, "shared": None, "tags": None, "x": 1},
        "relationships": {"owner": {"data": None}, "parts": {"data": []}},
    },
    "included": [{"type": "owners", "id": "o1"}, {"type": "gadgets", "id": "g1", "a": [1]}],
}
parsed = WidgetResponse.from_dict(body)
assert parsed.to_dict() == body, parsed.to_dict()
assert type(parsed.included[1]).__name__ == "UnknownIncludedResource"
linkage = {"data": None}
assert WidgetOwnerLinkageResponse.from_dict(linkage).to_dict() == linkage
# Annotations are strings (postponed evaluation): enough to see whether None is allowed.
assert SharedStrict.__annotations__["kind"] == "Kind | Unset", SharedStrict.__annotations__
attributes = WidgetUpdateRequestData.__annotations__["attributes"]
assert attributes == "WidgetUpdateRequestDataAttributes | Unset", attributes
sent = WidgetUpdateRequestDataAttributes.__annotations__["shared"]
assert sent == "SharedStrict | Unset", sent
lenient = Widget.__annotations__["attributes"]
assert "None" in lenient, lenient
print("ok")
"""
    parsed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=root,
        env={"PYTHONPATH": str(root / "generated"), "PATH": ""},
    )
    assert parsed.returncode == 0, parsed.stderr
    assert parsed.stdout.strip() == "ok"
