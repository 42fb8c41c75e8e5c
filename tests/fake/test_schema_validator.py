"""The fake's run-time validator agrees with openapi-schema-validator's OAS30Validator."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from asc_builds.testing._schema import (
    SchemaValidator,
    UnsupportedSchemaError,
    Violation,
    load_pinned_slice,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

SCHEMAS_UNDER_TEST = ["BuildUpdateRequest", "ErrorResponse", "Build", "ImageAsset"]
NAMES = [
    "data",
    "type",
    "id",
    "attributes",
    "relationships",
    "expired",
    "usesNonExemptEncryption",
    "appEncryptionDeclaration",
    "errors",
    "source",
    "pointer",
    "parameter",
    "status",
    "code",
    "title",
    "detail",
    "width",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["builds", "appEncryptionDeclarations", "apps", "", "x"]),
)
# Near misses: objects built from the schemas' own member names, so deep branches
# (required members, enums, nullable booleans, oneOf) are reached often.
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=3), inner, max_size=5)
    ),
    max_leaves=25,
)


@cache
def reference_validator(name: str) -> OAS30Validator:
    registry: Registry[Any] = Registry().with_resource(
        "slice.json", Resource.opaque(load_pinned_slice())
    )
    return OAS30Validator({"$ref": f"slice.json#/components/schemas/{name}"}, registry=registry)


def ours(instance: object, name: str) -> list[Violation]:
    validator = SchemaValidator(load_pinned_slice())
    return validator.validate(instance, validator.component(name))


def to_json_schema(node: Any) -> Any:
    # hypothesis-jsonschema does not know OAS `nullable`; BuildUpdateRequest has no $ref.
    if isinstance(node, dict):
        converted = {key: to_json_schema(value) for key, value in node.items()}
        if converted.pop("nullable", False):
            converted["type"] = [converted["type"], "null"]
        return converted
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    return node


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(instance=JSON_VALUES, name=st.sampled_from(SCHEMAS_UNDER_TEST))
def test_verdicts_agree_on_arbitrary_json(instance: object, name: str) -> None:
    assert (ours(instance, name) == []) == reference_validator(name).is_valid(instance)


SPEC_DERIVED_REQUESTS = from_schema(
    to_json_schema(load_pinned_slice()["components"]["schemas"]["BuildUpdateRequest"])
)
# The same shape written out: hypothesis-jsonschema is slow, and mutation needs many.
_NULLABLE_BOOLEAN = st.none() | st.booleans()
VALID_REQUESTS = st.fixed_dictionaries(
    {
        "data": st.fixed_dictionaries(
            {"type": st.just("builds"), "id": st.text(max_size=8)},
            optional={
                "attributes": st.fixed_dictionaries(
                    {},
                    optional={
                        "expired": _NULLABLE_BOOLEAN,
                        "usesNonExemptEncryption": _NULLABLE_BOOLEAN,
                    },
                ),
                "relationships": st.fixed_dictionaries(
                    {},
                    optional={
                        "appEncryptionDeclaration": st.fixed_dictionaries(
                            {},
                            optional={
                                "data": st.fixed_dictionaries(
                                    {
                                        "type": st.just("appEncryptionDeclarations"),
                                        "id": st.text(max_size=8),
                                    }
                                )
                            },
                        )
                    },
                ),
            },
        )
    }
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(body=SPEC_DERIVED_REQUESTS | VALID_REQUESTS)
def test_generated_valid_requests_are_valid(body: object) -> None:
    assert reference_validator("BuildUpdateRequest").is_valid(body)
    assert ours(body, "BuildUpdateRequest") == []


def member_paths(node: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(node, dict):
        return []
    paths: list[tuple[str, ...]] = []
    for key, value in node.items():
        paths.append((*prefix, key))
        paths.extend(member_paths(value, (*prefix, key)))
    return paths


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(body=VALID_REQUESTS, data=st.data())
def test_verdicts_agree_on_mutated_requests(body: Any, data: st.DataObject) -> None:
    # One member replaced or removed: mostly invalid, sometimes still valid.
    path = data.draw(st.sampled_from(member_paths(body)))
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON_VALUES)
    expected = reference_validator("BuildUpdateRequest").is_valid(body)
    assert (ours(body, "BuildUpdateRequest") == []) == expected


def test_violations_name_the_failing_member() -> None:
    body = {"data": {"type": "apps", "attributes": {"expired": "no"}}}
    found = {(v.pointer, v.keyword) for v in ours(body, "BuildUpdateRequest")}
    assert found == {
        ("/data/id", "required"),
        ("/data/type", "enum"),
        ("/data/attributes/expired", "type"),
    }


def test_nullable_and_integer_rules_match_oas30() -> None:
    validator = SchemaValidator({})
    nullable_enum = {"type": "string", "enum": ["a"], "nullable": True}
    assert validator.validate(None, nullable_enum) != []
    assert validator.validate(None, {"type": "boolean", "nullable": True}) == []
    assert validator.validate(None, {"type": "boolean"}) != []
    assert validator.validate(1.0, {"type": "integer"}) != []
    assert validator.validate(True, {"type": "integer"}) != []
    assert validator.validate({"a": 1}, {"type": "object", "additionalProperties": False}) != []


def test_unsupported_keywords_are_refused_not_ignored() -> None:
    with pytest.raises(UnsupportedSchemaError):
        SchemaValidator({}).validate("x", {"type": "string", "maxLength": 1})
    with pytest.raises(UnsupportedSchemaError):
        SchemaValidator({}).validate("x", {"$ref": "other.json#/x"})
