"""The pinned slice: valid, complete, minimal, and exactly what the slicer cuts from upstream."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from regen.slicer import (
    OPERATIONS,
    QUERY_PARAMETERS,
    component_refs,
    dump_json,
    load_upstream,
    slice_spec,
)

SLICE_PATH = Path(__file__).resolve().parents[2] / "openapi" / "slice.json"


def test_slice_is_valid_openapi_3_0(slice_document: dict[str, Any]) -> None:
    assert slice_document["openapi"].startswith("3.0")
    validate(slice_document)


def test_slice_components_are_exactly_those_reached(slice_document: dict[str, Any]) -> None:
    reached = component_refs(slice_document, slice_document["paths"])
    present = {
        (kind, name)
        for kind, members in slice_document["components"].items()
        if kind != "securitySchemes"
        for name in members
    }
    assert present - reached == set(), "components nothing refers to"
    assert reached - present == set(), "components referred to but missing"


def test_slice_keeps_each_operation_and_its_path_level_parameters(
    slice_document: dict[str, Any],
) -> None:
    assert sorted(slice_document["paths"]) == sorted({path for path, _ in OPERATIONS})
    item = slice_document["paths"]["/v1/builds/{id}"]
    assert set(item) == {"get", "patch", "parameters"}, "only the chosen methods and path keys"
    assert [(p["name"], p["in"], p["required"]) for p in item["parameters"]] == [
        ("id", "path", True)
    ]
    for path, method in OPERATIONS:
        assert method in slice_document["paths"][path]
    assert set(slice_document["paths"]["/v1/builds"]) == {"get"}
    assert slice_document["components"]["securitySchemes"]["itc-bearer-token"]["scheme"] == "bearer"
    assert slice_document["servers"] == [{"url": "https://api.appstoreconnect.apple.com/"}]


def test_slice_file_uses_the_project_formatting() -> None:
    text = SLICE_PATH.read_text(encoding="utf-8")
    assert text == dump_json(json.loads(text))


@pytest.mark.upstream
def test_slice_equals_the_closure_recomputed_from_upstream(upstream_spec: Path) -> None:
    spec = load_upstream(upstream_spec)
    assert spec["info"]["version"] == "4.4.1"
    assert dump_json(slice_spec(spec)) == SLICE_PATH.read_text(encoding="utf-8")
    # The PATCH alone reaches 39 schemas; the two builds reads add 2, the declaration
    # read 6 and the apps read 23.
    assert len(slice_spec(spec)["components"]["schemas"]) == 70


@pytest.mark.upstream
def test_slicer_reads_apples_zip(upstream_spec: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "app-store-connect-openapi-specification/openapi.oas.json", upstream_spec.read_bytes()
        )
    from_zip = slice_spec(load_upstream(buffer.getvalue()))
    assert dump_json(from_zip) == SLICE_PATH.read_text(encoding="utf-8")


@pytest.mark.upstream
def test_slicer_on_3_7_0_gives_a_valid_slice(old_upstream_spec: Path) -> None:
    sliced = slice_spec(load_upstream(old_upstream_spec))
    validate(sliced)
    assert sliced["info"]["version"] == "3.7.0"
    assert len(sliced["components"]["schemas"]) == 68
    assert "429" not in sliced["paths"]["/v1/builds/{id}"]["patch"]["responses"]


def test_slicer_rejects_an_upstream_without_the_operation(slice_document: dict[str, Any]) -> None:
    crippled = json.loads(json.dumps(slice_document))
    del crippled["paths"]["/v1/builds/{id}"]["patch"]
    with pytest.raises(ValueError, match=re.escape("no operation PATCH /v1/builds/{id}")):
        slice_spec(crippled)


def test_slicer_rejects_a_dangling_reference(slice_document: dict[str, Any]) -> None:
    crippled = json.loads(json.dumps(slice_document))
    del crippled["components"]["schemas"]["ImageAsset"]
    with pytest.raises(ValueError, match="dangling \\$ref #/components/schemas/ImageAsset"):
        slice_spec(crippled)


def test_a_zip_without_the_spec_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "no spec here")
    with pytest.raises(ValueError, match=re.escape("expected one openapi.oas.json")):
        load_upstream(buffer.getvalue())


def test_a_trimmed_operation_keeps_only_the_query_parameters_the_sdk_sends(
    slice_document: dict[str, Any],
) -> None:
    for (path, method), kept in QUERY_PARAMETERS.items():
        parameters = slice_document["paths"][path][method]["parameters"]
        assert [p["name"] for p in parameters if p["in"] == "query"] == list(kept)
    # Operations not listed keep every parameter Apple declares.
    builds = slice_document["paths"]["/v1/builds"]["get"]["parameters"]
    assert len(builds) == 35


def test_trimming_refuses_a_parameter_upstream_no_longer_declares(
    slice_document: dict[str, Any],
) -> None:
    crippled = json.loads(json.dumps(slice_document))
    parameters = crippled["paths"]["/v1/apps"]["get"]["parameters"]
    crippled["paths"]["/v1/apps"]["get"]["parameters"] = [
        p for p in parameters if p["name"] != "filter[bundleId]"
    ]
    with pytest.raises(ValueError, match=re.escape("GET /v1/apps no longer declares")):
        slice_spec(crippled)


def test_trimming_changes_nothing_but_the_query_parameters(
    slice_document: dict[str, Any],
) -> None:
    grown = json.loads(json.dumps(slice_document))
    operation = grown["paths"]["/v1/apps"]["get"]
    operation["parameters"].append({"name": "filter[sku]", "in": "query", "schema": {}})
    operation["parameters"].append({"name": "X-Extra", "in": "header", "schema": {}})
    trimmed = slice_spec(grown)["paths"]["/v1/apps"]["get"]
    names = [p["name"] for p in trimmed["parameters"]]
    assert "filter[sku]" not in names and "X-Extra" in names
    assert trimmed["responses"] == operation["responses"]
