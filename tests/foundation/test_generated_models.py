"""The generated models: Apple's examples, and the drift Apple's real responses show."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from enum import StrEnum
from typing import Any

import pytest
from asc_builds_generated.models import (
    App,
    BuildAttributes,
    BuildAttributesProcessingState,
    BuildRelationships,
    BuildResponse,
    BuildUpdateRequest,
    ErrorResponse,
    UnknownIncludedResource,
)
from asc_builds_generated.types import Unset

from ._minimal_documents import EnumSite, document_with, enum_sites

UNKNOWN = "A_VALUE_APPLE_ADDED_LATER"


def _slice() -> dict[str, Any]:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "openapi" / "slice.json"
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


SLICE = _slice()
RESPONSE_ENUM_SITES = list(enum_sites(SLICE, "BuildResponse"))
# Error bodies have no enum in 4.4.1; should Apple add one, its sites join the sweep.
RESPONSE_ENUM_SITES += list(enum_sites(SLICE, "ErrorResponse"))


def _enum_values(node: Any) -> list[StrEnum]:
    """Every enum member reachable in a parsed model, by attribute and list traversal."""
    found: list[StrEnum] = []
    if isinstance(node, StrEnum):
        found.append(node)
    elif isinstance(node, list):
        for item in node:
            found += _enum_values(item)
    elif hasattr(node, "__attrs_attrs__"):
        for field in node.__attrs_attrs__:
            found += _enum_values(getattr(node, field.name))
    return found


def _is_included_resource_type(site: EnumSite) -> bool:
    """The `type` of an `included` member itself (route: included, [], <Schema>, type)."""
    return len(site.route) == 4 and site.route[0] == "included" and site.route[3] == "type"


def test_example_request_round_trips(example_request: dict[str, Any]) -> None:
    request = BuildUpdateRequest.from_dict(example_request)
    assert request.data.attributes is not None and not isinstance(request.data.attributes, Unset)
    assert request.data.attributes.uses_non_exempt_encryption is True
    assert request.to_dict() == example_request


def test_example_response_parses_and_keeps_undeclared_fields(
    example_response: dict[str, Any],
) -> None:
    response = BuildResponse.from_dict(example_response)
    build = response.data
    assert build.id == "932eff64-a144-4350-8d10-9e54d5834aee"
    attributes = build.attributes
    assert isinstance(attributes, BuildAttributes)
    assert attributes.build_audience_type is None
    assert attributes.processing_state == BuildAttributesProcessingState.VALID
    assert not isinstance(attributes.uploaded_date, Unset) and attributes.uploaded_date is not None
    assert attributes.uploaded_date.utcoffset() is not None
    assert attributes.uploaded_date.isoformat() == "2022-04-14T11:11:14-07:00"
    for undeclared in (
        "isWatchOnly",
        "hasMessagesExtension",
        "hasStickers",
        "isLaunchProhibited",
        "qcState",
        "deviceFamilies",
    ):
        assert undeclared in attributes.additional_properties
    assert attributes.additional_properties["deviceFamilies"] == ["IPHONE", "IPAD"]
    relationships = build.relationships
    assert isinstance(relationships, BuildRelationships)
    assert {"ciBuildGroup", "betaBuildMetrics"} <= relationships.additional_properties.keys()
    assert response.to_dict() == example_response


def test_the_response_closure_has_enums_to_test() -> None:
    # Guards the walk itself: the 4.4.1 slice has over a hundred enum places.
    assert len(RESPONSE_ENUM_SITES) > 100
    assert any(
        str(site) == "BuildResponse.data.attributes.processingState" for site in RESPONSE_ENUM_SITES
    )


@pytest.mark.parametrize("site", RESPONSE_ENUM_SITES, ids=str)
def test_an_unknown_enum_value_anywhere_in_a_response_is_kept(site: EnumSite) -> None:
    document = document_with(SLICE, site.root, site.route, UNKNOWN)
    model: type[BuildResponse | ErrorResponse]
    model = BuildResponse if site.root == "BuildResponse" else ErrorResponse
    parsed = model.from_dict(copy.deepcopy(document))
    assert parsed.to_dict() == document, "nothing dropped, the raw value written back"
    unknown = [value for value in _enum_values(parsed) if value == UNKNOWN]
    if _is_included_resource_type(site):
        # A resource type the spec does not know: kept whole by the catch-all.
        assert isinstance(parsed, BuildResponse) and isinstance(parsed.included, list)
        assert isinstance(parsed.included[0], UnknownIncludedResource)
        assert parsed.included[0].type_ == UNKNOWN
    else:
        assert len(unknown) == 1, f"the value at {site} should parse into an enum"
        assert getattr(unknown[0], "is_known") is False  # noqa: B009 (generated enums only)
        assert unknown[0].value == UNKNOWN


def test_known_values_are_still_known() -> None:
    assert BuildAttributesProcessingState("VALID").is_known is True
    assert BuildAttributesProcessingState("VALID") is BuildAttributesProcessingState.VALID


def test_an_unknown_included_type_keeps_every_field(example_response: dict[str, Any]) -> None:
    document = copy.deepcopy(example_response)
    ci_group = {
        "type": "ciBuildGroups",
        "id": "g1",
        "attributes": {"name": "nightly"},
        "relationships": {"builds": {"meta": {"paging": {"total": 3}}}},
    }
    document["included"] = [ci_group, {"type": "apps", "id": "a1", "attributes": {"name": "X"}}]
    parsed = BuildResponse.from_dict(copy.deepcopy(document))
    assert isinstance(parsed.included, list)
    first, second = parsed.included
    assert isinstance(first, UnknownIncludedResource)
    assert first.id == "g1" and first.additional_properties["attributes"] == {"name": "nightly"}
    assert isinstance(second, App), "a known type is not swallowed by the catch-all"
    assert parsed.to_dict() == document


def test_included_members_are_typed_by_their_type_not_their_shape() -> None:
    # Every included resource has the same minimal shape (type and id), so
    # only the type can tell them apart; each must land on its own class.
    members = [site for site in RESPONSE_ENUM_SITES if _is_included_resource_type(site)]
    assert len(members) >= 12
    for site in members:
        document = document_with(SLICE, "BuildResponse", site.route, site.values[0])
        parsed = BuildResponse.from_dict(document)
        assert isinstance(parsed.included, list)
        assert type(parsed.included[0]).__name__ == site.route[2].strip("<>"), site


@pytest.mark.parametrize(
    "attribute",
    [
        "expirationDate",
        "uploadedDate",
        "iconAssetToken",
        "buildAudienceType",
        "minOsVersion",
        "lsMinimumSystemVersion",
        "computedMinMacOsVersion",
        "computedMinVisionOsVersion",
        "usesNonExemptEncryption",
        "expired",
        "version",
    ],
)
def test_nulls_apple_sends_in_build_attributes_parse(
    example_response: dict[str, Any], attribute: str
) -> None:
    document = copy.deepcopy(example_response)
    document["data"]["attributes"][attribute] = None
    parsed = BuildResponse.from_dict(copy.deepcopy(document))
    assert parsed.to_dict() == document


def test_an_error_without_detail_parses() -> None:
    document = {
        "errors": [
            {
                "id": "e1",
                "status": "409",
                "code": "ENTITY_ERROR",
                "title": "The request entity is invalid.",
            }
        ]
    }
    parsed = ErrorResponse.from_dict(copy.deepcopy(document))
    assert isinstance(parsed.errors, list)
    assert isinstance(parsed.errors[0].detail, Unset)
    assert parsed.to_dict() == document


def test_every_exported_model_resolves_from_the_lazy_package() -> None:
    import asc_builds_generated.models as models

    assert len(models.__all__) > 300
    for name in models.__all__:
        assert getattr(models, name).__name__ == name
    assert sorted(dir(models)) == sorted(models.__all__)
    with pytest.raises(AttributeError, match="NoSuchModel"):
        models.NoSuchModel  # noqa: B018


def test_importing_the_sdk_does_not_import_every_model() -> None:
    # Start-up time of the CLI depends on it; the count is a guard, not a timing.
    probe = (
        "import sys, asc_builds\n"
        "loaded = [m for m in sys.modules if m.startswith('asc_builds_generated.models.')]\n"
        "print(len(loaded))\n"
        "assert 'asc_builds_generated.models.app_store_version' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) < 40


def test_importing_the_sdk_leaves_what_only_a_client_needs_unloaded() -> None:
    # httpx itself loads httpcore (and anyio, h11, certifi) only when a transport is made,
    # and the version is a literal: `import asc_builds` keeps both out of start-up.
    probe = (
        "import sys, asc_builds\n"
        "heavy = ['httpcore', 'anyio', 'importlib.metadata', 'asc_builds._deadline_backend']\n"
        "print([name for name in heavy if name in sys.modules])\n"
        "asc_builds.AppStoreConnect\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
