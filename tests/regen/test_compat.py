"""Regeneration survives constructs Apple has published (scripts/regen/compat.py), and says
briefly what is wrong when the generator still refuses a spec (scripts/regen/diagnose.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from regen.compat import make_generator_compatible
from regen.diagnose import explain_generator_failure

from ..checkouts import ROOT, copy_checkout, run_regenerate
from .conftest import snapshot

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def synthetic_slice(gadget: Json, extra_schemas: Json | None = None) -> Json:
    """One read of a `Gadget`, whose schema is given; `fields` is a query parameter."""
    return {
        "openapi": "3.0.1",
        "info": {"title": "synthetic", "version": "1"},
        "servers": [{"url": "https://api.example.com/"}],
        "paths": {
            "/v1/gadgets/{id}": {
                "get": {
                    "operationId": "gadgets_getInstance",
                    "parameters": [
                        {
                            "name": "fields[gadgets]",
                            "in": "query",
                            "style": "form",
                            "explode": False,
                            "schema": {"type": "array", "items": {"type": "string", "enum": []}},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": _ref("GadgetResponse")}},
                        }
                    },
                },
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            }
        },
        "components": {
            "schemas": {
                "GadgetResponse": {
                    "type": "object",
                    "properties": {"data": _ref("Gadget")},
                    "required": ["data"],
                },
                "Gadget": gadget,
                **(extra_schemas or {}),
            }
        },
    }


# Each construct Apple has published, in one small slice.
APPLES_CONSTRUCTS = synthetic_slice(
    {
        "type": "object",
        "properties": {
            # The BuildBundle.type trap: the inline enum would be named GadgetType.
            "type": {"type": "string", "enum": ["gadgets"]},
            "id": {"type": "string"},
            "kind": _ref("GadgetType"),
            "urlVersion": _ref("SubscriptionStatusUrlVersion"),
            "mood": {"type": "string", "enum": []},
            # Inline and optional: the read rule adds null to its values.
            "channel": {"type": "string", "enum": ["Beta", "BETA", "beta"]},
        },
        "required": ["id", "type"],
    },
    {
        "GadgetType": {"type": "string", "enum": ["SMALL", "LARGE"]},
        "SubscriptionStatusUrlVersion": {"type": "string", "enum": ["V1", "V2", "v1", "v2"]},
    },
)


def test_empty_enums_are_dropped_everywhere() -> None:
    fixed = make_generator_compatible(APPLES_CONSTRUCTS)
    mood = fixed["components"]["schemas"]["Gadget"]["properties"]["mood"]
    assert mood == {"type": "string"}
    parameter = fixed["paths"]["/v1/gadgets/{id}"]["get"]["parameters"][0]
    assert parameter["schema"]["items"] == {"type": "string"}


def test_enum_values_differing_only_in_case_get_distinct_member_names() -> None:
    fixed = make_generator_compatible(APPLES_CONSTRUCTS)
    version = fixed["components"]["schemas"]["SubscriptionStatusUrlVersion"]
    assert version["enum"] == ["V1", "V2", "v1", "v2"], "the values sent and read stay"
    assert version["x-enum-varnames"] == ["V1", "V2", "V1_2", "V2_2"]
    untouched = fixed["components"]["schemas"]["GadgetType"]
    assert "x-enum-varnames" not in untouched
    nullable = make_generator_compatible(
        {"schema": {"type": "string", "enum": ["Beta", "BETA", None], "nullable": True}}
    )["schema"]
    assert nullable["enum"] == ["Beta", "BETA", None], "null stays allowed"
    assert nullable["x-enum-varnames"] == ["BETA", "BETA_2"], "a name per non-null value"


def test_an_inline_enum_named_like_a_real_schema_gets_its_own_name() -> None:
    fixed = make_generator_compatible(APPLES_CONSTRUCTS)
    gadget = fixed["components"]["schemas"]["Gadget"]["properties"]
    assert gadget["type"]["title"] == "type_Enum"
    assert "title" not in gadget["mood"], "no clash, no title"
    assert make_generator_compatible(fixed) == fixed, "idempotent"


def test_the_pinned_slice_needs_only_the_name_clash_rule() -> None:
    from regen.generate import generator_input

    apple = json.loads((ROOT / "openapi" / "slice.json").read_text("utf-8"))
    spec = generator_input(apple, ROOT / "openapi" / "overlay.json")
    bundle_type = spec["components"]["schemas"]["BuildBundle"]["properties"]["type"]
    assert bundle_type["title"] == "type_Enum"


def _generate(tmp_path: Path, document: Json) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = copy_checkout(tmp_path, with_generated=False)
    (root / "openapi" / "slice.json").write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    overlay = {"overlay": "1.0.0", "info": {"title": "none", "version": "1"}, "actions": []}
    (root / "openapi" / "overlay.json").write_text(json.dumps(overlay), "utf-8")
    return root, run_regenerate(root)


def test_a_slice_with_each_construct_generates_and_parses(tmp_path: Path) -> None:
    root, result = _generate(tmp_path, APPLES_CONSTRUCTS)
    assert result.returncode == 0, result.stderr
    probe = """
from asc_builds_generated.models import (
    Gadget, GadgetResponse, GadgetType, GadgetTypeEnum, SubscriptionStatusUrlVersion,
)
body = {"data": {"type": "gadgets", "id": "g1", "kind": "SMALL", "urlVersion": "v1",
                 "mood": "anything", "channel": "beta"}}
parsed = GadgetResponse.from_dict(body)
assert parsed.to_dict() == body, parsed.to_dict()
assert parsed.data.type_ is GadgetTypeEnum.GADGETS
assert parsed.data.kind is GadgetType.SMALL
assert parsed.data.url_version is SubscriptionStatusUrlVersion.V1_2
assert parsed.data.url_version.is_known and parsed.data.mood == "anything"
assert SubscriptionStatusUrlVersion("V1") is SubscriptionStatusUrlVersion.V1
assert parsed.data.channel.value == "beta" and parsed.data.channel.is_known
nulled = {"data": {"type": "gadgets", "id": "g1", "channel": None}}
assert GadgetResponse.from_dict(nulled).to_dict() == nulled
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


@pytest.mark.parametrize(
    ("gadget", "named"),
    [
        (
            {"type": "object", "properties": {"size": {"type": "enormous"}}},
            "/components/schemas/Gadget/properties/size/type",
        ),
        (
            {"type": "object", "properties": {"size": {"type": "string", "format": 7}}},
            "/components/schemas/Gadget/properties/size/format",
        ),
    ],
    ids=["unknown-type", "bad-format"],
)
def test_a_spec_the_generator_refuses_fails_briefly_and_touches_nothing(
    tmp_path: Path, gadget: Json, named: str
) -> None:
    root, result = _generate(tmp_path / "first", synthetic_slice({"type": "object"}))
    assert result.returncode == 0, result.stderr
    (root / "openapi" / "slice.json").write_text(
        json.dumps(synthetic_slice(gadget), indent=2) + "\n", "utf-8"
    )
    before = snapshot(root)
    result = run_regenerate(root)
    assert result.returncode == 2
    assert snapshot(root) == before
    assert named in result.stderr
    assert "openapi/overlay.json" in result.stderr, "the likely fix"
    assert "Traceback" not in result.stderr and "│" not in result.stderr
    assert len(result.stderr.splitlines()) <= 10


def test_the_explanation_of_each_kind_of_generator_output() -> None:
    validation = (
        "Failed to parse OpenAPI document\n\n1 validation error for OpenAPI\n"
        "components.schemas.Thing.other.properties.v.other.enum\n"
        "  List should have at least 1 item after validation, not 0 [type=too_short]\n"
    )
    assert "/components/schemas/Thing/properties/v/enum: List should have at least 1 item" in (
        explain_generator_failure(validation)
    )
    skipped = (
        "Unable to process schema /components/schemas/Thing:\n\n"
        "Found conflicting enums named ThingV with incompatible values.\n"
    )
    assert "/components/schemas/Thing: Found conflicting enums named ThingV" in (
        explain_generator_failure(skipped)
    )
    crashed = (
        "│ ❱ 214 │   raise ValueError(   │\n╰──────╯\n"
        "ValueError: Duplicate key V1 in enum thing_v.ThingV; consider setting\n"
        "literal_enums in your config\n"
    )
    text = explain_generator_failure(crashed)
    assert "enum class ThingV has two values that give the member name V1" in text
    assert "│" not in text
