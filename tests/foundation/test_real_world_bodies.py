"""Bodies shaped like real App Store Connect traffic (tests/fixtures/real-world) parse and
round-trip, in the generated models and through the SDK."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from asc_builds import ConflictError
from asc_builds._error_mapping import error_from_response
from asc_builds.builds._update import parse_build
from asc_builds_generated.models import (
    BuildAttributes,
    BuildRelationships,
    BuildRelationshipsAppStoreVersion,
    BuildResponse,
    ErrorResponse,
)
from asc_builds_generated.types import Unset

REAL_WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "real-world"


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REAL_WORLD / name).read_text("utf-8"))
    return document


def _response(document: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=document, headers={"x-request-id": "R-real"})


def test_every_real_world_body_is_tested_here() -> None:
    named = {
        "build-with-null-linkage.json",
        "build-processing-state-null.json",
        "error-without-status-or-code.json",
    }
    assert {path.name for path in REAL_WORLD.glob("*.json")} == named


def test_a_to_one_relationship_with_null_linkage() -> None:
    document = _load("build-with-null-linkage.json")
    parsed = BuildResponse.from_dict(copy.deepcopy(document))
    assert parsed.to_dict() == document, "null stays null, absent stays absent"
    relationships = parsed.data.relationships
    assert isinstance(relationships, BuildRelationships)
    store_version = relationships.app_store_version
    assert isinstance(store_version, BuildRelationshipsAppStoreVersion)
    assert store_version.data is None
    assert not isinstance(store_version.links, Unset) and store_version.links is not None
    declaration = relationships.app_encryption_declaration
    assert declaration is not None and not isinstance(declaration, Unset)
    assert declaration.data is None
    app = relationships.app
    assert app is not None and not isinstance(app, Unset)
    assert isinstance(app.links, Unset), "a relationship with only meta and data"
    assert app.data is not None and not isinstance(app.data, Unset)
    assert app.data.id == "1234567890"

    build = parse_build(_response(document), "5bd9a4c2-0e8f-4d0e-9d37-1f2a6b3c4d5e")
    assert build.to_dict() == document["data"]


def test_a_just_uploaded_build_with_a_null_processing_state() -> None:
    document = _load("build-processing-state-null.json")
    parsed = BuildResponse.from_dict(copy.deepcopy(document))
    assert parsed.to_dict() == document
    attributes = parsed.data.attributes
    assert isinstance(attributes, BuildAttributes)
    assert attributes.processing_state is None
    assert attributes.icon_asset_token is None
    assert attributes.expiration_date is None
    assert attributes.additional_properties["processingErrors"] == []

    build = parse_build(_response(document), "0f6e7d8c-1a2b-4c3d-8e9f-a0b1c2d3e4f5")
    assert isinstance(build.attributes, BuildAttributes)
    assert build.attributes.processing_state is None


def test_an_error_without_status_or_code() -> None:
    document = _load("error-without-status-or-code.json")
    parsed = ErrorResponse.from_dict(copy.deepcopy(document))
    assert parsed.to_dict() == document
    assert isinstance(parsed.errors, list)
    first = parsed.errors[0]
    assert isinstance(first.status, Unset) and isinstance(first.code, Unset)
    assert first.title == "The provided entity is missing a required field"

    error = error_from_response(_response(document, 409), now=0.0, clock_allowance=60.0)
    assert isinstance(error, ConflictError)
    assert [(entry.status, entry.code) for entry in error.errors] == [
        (None, None),
        ("409", "ENTITY_ERROR.ATTRIBUTE.INVALID"),
    ]
    assert error.errors[0].source_pointer == "data/attributes/usesNonExemptEncryption"
    assert "You must provide a value" in str(error)


def _declared_build_attributes() -> set[str]:
    slice_path = Path(__file__).resolve().parents[2] / "openapi" / "slice.json"
    schemas = json.loads(slice_path.read_text("utf-8"))["components"]["schemas"]
    return set(schemas["Build"]["properties"]["attributes"]["properties"])


@pytest.mark.parametrize("name", sorted(p.name for p in REAL_WORLD.glob("build-*.json")))
def test_real_world_builds_keep_fields_the_spec_lacks(name: str) -> None:
    raw = _load(name)["data"]["attributes"]
    undeclared = {
        key: value for key, value in raw.items() if key not in _declared_build_attributes()
    }
    assert undeclared, "each fixture carries an attribute the spec does not declare"
    build = BuildResponse.from_dict(_load(name)).data
    assert isinstance(build.attributes, BuildAttributes)
    assert build.attributes.additional_properties == undeclared
