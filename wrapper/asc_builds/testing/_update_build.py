"""``PATCH /v1/builds/{id}``: body checks and state rules, in App Store Connect's order.

Order: JSON parse (400), JSON:API envelope (422), attribute and relationship shapes
(409), ``data.id`` against the path (409), unknown build or declaration (404), state
rules (409). Members the schema does not declare are rejected, as Apple does, although
the schema itself leaves ``additionalProperties`` open.

State rules: an expired build cannot be un-expired, nor expired again (Apple answers
409 when the target state already holds), nor otherwise modified; a declaration must
belong to the build's app and be neither REJECTED, INVALID nor EXPIRED.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import attrs

from ._apple_errors import AppleError, bad_json, not_found
from ._schema import SchemaValidator, Violation, load_pinned_slice
from ._state import FakeBuild, FakeEncryptionDeclaration

__all__ = ["UpdateResult", "parse_json_body", "update_build"]

_UNASSIGNABLE_STATES = frozenset({"REJECTED", "INVALID", "EXPIRED"})
_DECLARATION = "/data/relationships/appEncryptionDeclaration"


@attrs.frozen
class UpdateResult:
    """Either the updated build or the errors (all with one status)."""

    build: FakeBuild | None
    errors: tuple[AppleError, ...] = ()


def _closed(schema: Any) -> Any:
    # A copy of the schema that also forbids undeclared members, to name them exactly.
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            closed.setdefault("additionalProperties", False)
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@cache
def _request_schema() -> tuple[SchemaValidator, Mapping[str, Any]]:
    validator = SchemaValidator(load_pinned_slice())
    return validator, _closed(validator.component("BuildUpdateRequest"))


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(body: bytes) -> Any:
    """The parsed body; raises ``ValueError`` for anything that is not strict JSON."""
    return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)


def _unprocessable(pointer: str, detail: str) -> AppleError:
    return AppleError(
        422,
        "ENTITY_UNPROCESSABLE",
        "Entity is valid json but is not a valid json:api document",
        detail,
        pointer=pointer or None,
    )


def _violation_error(violation: Violation) -> AppleError:
    pointer = violation.pointer
    name = pointer.rsplit("/", 1)[-1]
    if pointer.startswith("/data/attributes/"):
        if violation.keyword == "additionalProperties":
            return AppleError(
                409,
                "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
                "The provided entity includes an unknown attribute",
                f"'{name}' is not an attribute on the resource 'builds'",
                pointer=pointer,
            )
        return AppleError(
            409,
            "ENTITY_ERROR.ATTRIBUTE.TYPE",
            "An attribute value has the wrong type",
            f"The attribute '{name}' has the wrong type: {violation.message}",
            pointer=pointer,
        )
    if pointer.startswith("/data/relationships/"):
        if violation.keyword == "additionalProperties" and pointer.count("/") == 3:
            return AppleError(
                409,
                "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
                "The provided entity includes an unknown relationship",
                f"'{name}' is not a relationship on the resource 'builds'",
                pointer=pointer,
            )
        return AppleError(
            409,
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "The provided entity includes a relationship with an invalid value",
            f"{pointer} {violation.message}",
            pointer=pointer,
        )
    if pointer == "/data/type" and violation.keyword in ("enum", "type"):
        return AppleError(
            409,
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "The provided entity includes an attribute with an invalid value",
            "The resource type must be 'builds'",
            pointer=pointer,
        )
    return _unprocessable(pointer, f"{pointer or 'the document'} {violation.message}")


def _shape_errors(document: object) -> tuple[AppleError, ...]:
    validator, schema = _request_schema()
    errors = [_violation_error(v) for v in validator.validate(document, schema)]
    unprocessable = tuple(e for e in errors if e.status == 422)
    return unprocessable or tuple(errors)


def update_build(
    *,
    path_id: str,
    body: bytes,
    builds: Mapping[str, FakeBuild],
    declarations: Mapping[str, FakeEncryptionDeclaration],
) -> UpdateResult:
    try:
        document = parse_json_body(body)
    except ValueError:
        return UpdateResult(None, (bad_json("The request body is not valid JSON."),))
    shape = _shape_errors(document)
    if shape:
        return UpdateResult(None, shape)
    data: Mapping[str, Any] = document["data"]
    if data["id"] != path_id:
        return UpdateResult(
            None,
            (
                AppleError(
                    409,
                    "ENTITY_ERROR.ATTRIBUTE.INVALID",
                    "The provided entity includes an attribute with an invalid value",
                    f"The resource id '{data['id']}' does not match the id '{path_id}' "
                    "in the request path",
                    pointer="/data/id",
                ),
            ),
        )
    build = builds.get(path_id)
    if build is None:
        return UpdateResult(None, (not_found("builds", path_id),))
    attributes: Mapping[str, Any] = data.get("attributes", {})
    linkage = data.get("relationships", {}).get("appEncryptionDeclaration", {}).get("data")
    declaration = None
    if linkage is not None:
        declaration = declarations.get(linkage["id"])
        if declaration is None:
            return UpdateResult(
                None,
                (not_found("appEncryptionDeclarations", linkage["id"], f"{_DECLARATION}/data/id"),),
            )
    errors = _rule_errors(build, attributes, declaration)
    if errors:
        return UpdateResult(None, errors)
    return UpdateResult(_apply(build, attributes, declaration))


def _invalid_attribute(name: str, detail: str) -> AppleError:
    return AppleError(
        409,
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "The provided entity includes an attribute with an invalid value",
        detail,
        pointer=f"/data/attributes/{name}",
    )


def _invalid_declaration(detail: str) -> AppleError:
    return AppleError(
        409,
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "The provided entity includes a relationship with an invalid value",
        detail,
        pointer=_DECLARATION,
    )


def _rule_errors(
    build: FakeBuild,
    attributes: Mapping[str, Any],
    declaration: FakeEncryptionDeclaration | None,
) -> tuple[AppleError, ...]:
    errors: list[AppleError] = []
    expired = attributes.get("expired")
    encryption = attributes.get("usesNonExemptEncryption")
    if build.expired:
        if expired is False:
            errors.append(_invalid_attribute("expired", "An expired build cannot be un-expired."))
        if expired is True:
            errors.append(_invalid_attribute("expired", "The build is already expired."))
        if encryption is not None:
            errors.append(
                _invalid_attribute(
                    "usesNonExemptEncryption", "An expired build cannot be modified."
                )
            )
        if declaration is not None:
            errors.append(_invalid_declaration("An expired build cannot be modified."))
    if declaration is not None:
        if declaration.app_id != build.app_id:
            errors.append(
                _invalid_declaration(
                    f"The appEncryptionDeclaration '{declaration.id}' belongs to a different "
                    "app than the build."
                )
            )
        if declaration.state in _UNASSIGNABLE_STATES:
            errors.append(
                _invalid_declaration(
                    f"The appEncryptionDeclaration '{declaration.id}' is {declaration.state} "
                    "and cannot be assigned to a build."
                )
            )
    return tuple(errors)


def _apply(
    build: FakeBuild,
    attributes: Mapping[str, Any],
    declaration: FakeEncryptionDeclaration | None,
) -> FakeBuild:
    # A null attribute leaves the value unchanged.
    expired = attributes.get("expired")
    encryption = attributes.get("usesNonExemptEncryption")
    return attrs.evolve(
        build,
        expired=build.expired if expired is None else expired,
        uses_non_exempt_encryption=(
            build.uses_non_exempt_encryption if encryption is None else encryption
        ),
        encryption_declaration_id=(
            build.encryption_declaration_id if declaration is None else declaration.id
        ),
    )
