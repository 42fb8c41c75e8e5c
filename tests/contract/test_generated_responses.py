"""Every body the slice allows, and each drift Apple ships, parses in the generated client."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import asc_builds_generated.models as models
import httpx
import pytest
from asc_builds_generated.api.builds import builds_update_instance
from asc_builds_generated.models import BuildResponse, BuildUpdateRequest, ErrorResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from .compare import assert_same_json, date_time_properties
from .drift import (
    UNKNOWN_INCLUDED_TYPE,
    drifted_error_responses,
    drifted_responses,
    mutable_enum_locations,
    response_schema,
    set_unknown_enums,
)
from .exercised import Exercised
from .mutations import response_roots
from .schema_walk import Location, minimal_instance
from .spec import apple_spec, error_statuses
from .strategies import build_responses, error_responses
from .transport import RecordingTransport, generated_client, serving
from .validation import assert_request_matches_spec, assert_response_matches_spec

BASE_URL = "http://127.0.0.1:9"
REQUEST = BuildUpdateRequest.from_dict({"data": {"type": "builds", "id": "b-1"}})


def _exchange(
    status: int, body: Any, exercised: Exercised
) -> tuple[Any, httpx.Request, httpx.Response]:
    transport = RecordingTransport(serving(status, body, assert_request_matches_spec), exercised)
    with generated_client(BASE_URL, transport) as client:
        result = builds_update_instance.sync_detailed(id="b-1", client=client, body=REQUEST)
    request, response = transport.exchanges[-1]
    assert result.status_code == status
    return result.parsed, request, response


def _included_classes() -> dict[str, str]:
    """`included` type value -> generated class name, from the slice's discriminator."""
    schema = apple_spec()["components"]["schemas"]["BuildResponse"]
    mapping: dict[str, str] = schema["properties"]["included"]["items"]["discriminator"]["mapping"]
    return {value: ref.rsplit("/", 1)[-1] for value, ref in mapping.items()}


def _date_times(node: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in date_time_properties() and isinstance(value, str):
                found.append((key, value))
            found += _date_times(value)
    elif isinstance(node, list):
        for value in node:
            found += _date_times(value)
    return found


@settings(max_examples=150)
@given(body=build_responses())
def test_every_valid_build_response_parses_typed(
    body: dict[str, Any], exercised: Exercised
) -> None:
    parsed, request, response = _exchange(200, body, exercised)
    assert_response_matches_spec(request, response)
    assert isinstance(parsed, BuildResponse)
    assert parsed.data.id == body["data"]["id"]
    classes = _included_classes()
    for item, raw in zip(parsed.included or [], body.get("included", []), strict=True):
        assert type(item).__name__ == classes[raw["type"]]
        assert item.id == raw["id"]
    attributes = parsed.data.attributes
    for name in ("uploadedDate", "expirationDate"):
        raw_value = body["data"].get("attributes", {}).get(name)
        if attributes and raw_value is not None:
            typed = (
                attributes.uploaded_date if name == "uploadedDate" else attributes.expiration_date
            )
            assert isinstance(typed, datetime.datetime)
            assert typed == datetime.datetime.fromisoformat(raw_value)
    assert_same_json(body, parsed.to_dict())


@pytest.mark.parametrize("root", response_roots())
@settings(max_examples=40)
@given(data=st.data())
def test_every_drifted_response_parses_and_keeps_everything(
    root: str, data: st.DataObject, exercised: Exercised
) -> None:
    body = data.draw(drifted_responses(root))
    model = getattr(models, root)
    parsed = model.from_dict(copy.deepcopy(body))
    if body.get("included") is not None:
        # The strategy adds one unknown member unless `included` was nulled.
        unknown = [
            type(item).__name__
            for item in parsed.included or []
            if item.to_dict()["type"] == UNKNOWN_INCLUDED_TYPE
        ]
        assert unknown == ["UnknownIncludedResource"]
    elif "included" in body:
        assert parsed.included is None
    assert_same_json(body, parsed.to_dict())


def test_a_drifted_build_response_parses_through_the_operation(exercised: Exercised) -> None:
    body = minimal_instance(response_schema(200))
    body["data"]["attributes"] = {"processingState": None, "ascFutureAttribute": [1]}
    body["data"]["relationships"] = {"app": {"data": None}}
    parsed, _, _ = _exchange(200, body, exercised)
    assert isinstance(parsed, BuildResponse)
    assert_same_json(body, parsed.to_dict())


@pytest.mark.parametrize("location", mutable_enum_locations(), ids="/".join)
def test_an_unknown_value_in_each_enum_is_kept(location: Location, exercised: Exercised) -> None:
    body = minimal_instance(response_schema(200), location)
    assert set_unknown_enums(body, (location,)) == 1
    parsed, _, _ = _exchange(200, body, exercised)
    assert isinstance(parsed, BuildResponse)
    assert_same_json(body, parsed.to_dict())


@pytest.mark.parametrize("status", error_statuses(apple_spec()))
@settings(max_examples=25)
@given(data=st.data())
def test_every_error_response_parses(
    status: int, data: st.DataObject, exercised: Exercised
) -> None:
    body = data.draw(error_responses(status))
    parsed, request, response = _exchange(status, body, exercised)
    assert_response_matches_spec(request, response)
    assert isinstance(parsed, ErrorResponse)
    assert len(parsed.errors or []) == len(body.get("errors", []))
    assert_same_json(body, parsed.to_dict())


@pytest.mark.parametrize("status", error_statuses(apple_spec()))
@settings(max_examples=10)
@given(data=st.data())
def test_every_drifted_error_response_parses(
    status: int, data: st.DataObject, exercised: Exercised
) -> None:
    body = data.draw(drifted_error_responses(status))
    parsed, _, _ = _exchange(status, body, exercised)
    assert isinstance(parsed, ErrorResponse)
    assert all(error.detail is None or not error.detail for error in parsed.errors or [])
    assert_same_json(body, parsed.to_dict())
