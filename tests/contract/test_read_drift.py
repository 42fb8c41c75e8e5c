"""Drifted bodies of the four reads parse through the wrapper and keep every field.

The drift is the same as the PATCH's (see `drift.py`), found generically in each read's
response schema: an unknown value in every enum, `null` where the read rule allows it
(non-required properties, to-one linkage), an unknown `included` type, and unknown
attributes, relationships and top-level members.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from asc_builds import AppStoreConnect
from hypothesis import given, settings
from hypothesis import strategies as st

from .compare import assert_same_json
from .drift import UNKNOWN_ENUM_VALUE, UNKNOWN_INCLUDED_TYPE
from .json_schema import to_json_schema
from .schema_walk import Location, enum_locations, instances_at, null_locations
from .spec import apple_spec, patched_spec
from .strategies import from_json_schema
from .test_read_operations import BASE_URL, _response_name
from .test_wrapper_contract import KEY
from .transport import serving

JSON = dict[str, Any]
READ_PATHS = ("/v1/builds/{id}", "/v1/builds", "/v1/appEncryptionDeclarations/{id}")


@functools.cache
def _schemas(path: str) -> tuple[JSON, tuple[Location, ...], tuple[Location, ...]]:
    name = _response_name(path)
    apple = to_json_schema(apple_spec(), name)
    nulls = tuple(null_locations(to_json_schema(patched_spec(), name), apple))
    enums = tuple(
        location
        for location, _ in enum_locations(apple)
        if not (location[:2] == ("included", "[]") and location[-1:] == ("type",))
        and location[-1:] != ("type",)
    )
    return apple, nulls, enums


def _set(body: Any, schema: JSON, location: Location, value: Any) -> None:
    for parent, key in list(instances_at(schema, body, location)):
        if isinstance(parent, list):
            parent[int(key)] = value
        else:
            parent[key] = value


@st.composite
def drifted(draw: st.DrawFn, path: str) -> JSON:
    schema, nulls, enums = _schemas(path)
    body: JSON = copy.deepcopy(draw(from_json_schema(schema)))
    for location in enums:
        _set(body, schema, location, UNKNOWN_ENUM_VALUE)
    for location in draw(st.sets(st.sampled_from(nulls), max_size=8)) if nulls else ():
        _set(body, schema, location, None)
    if body.get("included") is None:
        body["included"] = []  # a null `included` is drift of its own; keep one kind here
    body["included"].append({"type": UNKNOWN_INCLUDED_TYPE, "id": "x-1", "attributes": {"a": 1}})
    body["ascFutureTopLevel"] = draw(st.integers())
    return body


@pytest.mark.parametrize("path", READ_PATHS)
@settings(max_examples=10)
@given(data=st.data())
def test_every_drifted_read_response_parses_and_keeps_everything(
    path: str, data: st.DataObject
) -> None:
    body = data.draw(drifted(path))
    if isinstance(body.get("data"), dict):
        # A read by id checks it got the resource asked for: answer about that one.
        body["data"]["id"] = "b-1" if path == "/v1/builds/{id}" else "d-1"
    elif isinstance(body.get("data"), list):
        # A listing hands out each build once: the drawn builds are different builds.
        for index, item in enumerate(body["data"]):
            if isinstance(item, dict):
                item["id"] = f"b-{index}"
    with AppStoreConnect(KEY, base_url=BASE_URL, transport=serving(200, body)) as asc:
        if path == "/v1/builds/{id}":
            build = asc.builds.get("b-1")
            assert_same_json(body["data"], build.build.to_dict())
        elif path == "/v1/builds":
            page = next(asc.builds.pages(app_id="a-1"))
            assert [b.id for b in page.items] == [item["id"] for item in body["data"]]
            for item, build in zip(body["data"], page.items, strict=True):
                assert_same_json(item, build.build.to_dict())
        else:
            declaration = asc.encryption_declarations.get("d-1")
            assert_same_json(body["data"], declaration.to_dict())
