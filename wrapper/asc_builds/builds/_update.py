"""The request of `PATCH /v1/builds/{id}` and its answer: building, checking, parsing; no I/O.

Every change builds a `BuildUpdateRequest` in `build_update_request` and is sent through
the generated operation's `_get_kwargs`, so the generated model is the only serializer.

The answer's `Build` (the response's `data`) is what a change returns. The full
`BuildResponse` adds nothing for this operation: it takes no `include` parameter, so
`included` stays empty, and its `links.self` repeats `data.links.self`.
"""

from __future__ import annotations

from typing import Any

import httpx
from asc_builds_generated.api.builds import builds_update_instance
from asc_builds_generated.models import (
    Build,
    BuildResponse,
    BuildUpdateRequest,
    BuildUpdateRequestData,
    BuildUpdateRequestDataAttributes,
    BuildUpdateRequestDataRelationships,
    BuildUpdateRequestDataRelationshipsAppEncryptionDeclaration,
    BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationData,
    BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationDataType,
    BuildUpdateRequestDataType,
)
from asc_builds_generated.types import UNSET, Unset

from .._body import decode_json
from .._documents import identity_problem
from .._exceptions import (
    InvalidInputError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnverifiedChangeError,
)
from .._headers import request_id
from .._ids import validate_id

__all__ = ["build_update_request", "parse_build", "unreadable_change", "update_operation"]


def build_update_request(
    build_id: str,
    *,
    expired: bool | None = None,
    uses_non_exempt_encryption: bool | None = None,
    encryption_declaration_id: str | None = None,
) -> BuildUpdateRequest:
    """The request body; only the arguments given (not None) are sent."""
    validate_id(build_id, what="build id")
    for name, value in (
        ("expired", expired),
        ("uses_non_exempt_encryption", uses_non_exempt_encryption),
    ):
        if value is not None and not isinstance(value, bool):
            raise InvalidInputError(f"{name} must be True or False, got {type(value).__name__}")
    if expired is False:
        raise InvalidInputError(
            "expired=False is not allowed: App Store Connect cannot un-expire a build"
        )
    if expired is None and uses_non_exempt_encryption is None and encryption_declaration_id is None:
        raise InvalidInputError(
            "nothing to update: give expired, uses_non_exempt_encryption or "
            "encryption_declaration_id"
        )

    attributes: BuildUpdateRequestDataAttributes | Unset = UNSET
    if expired is not None or uses_non_exempt_encryption is not None:
        attributes = BuildUpdateRequestDataAttributes(
            expired=UNSET if expired is None else expired,
            uses_non_exempt_encryption=(
                UNSET if uses_non_exempt_encryption is None else uses_non_exempt_encryption
            ),
        )
    relationships: BuildUpdateRequestDataRelationships | Unset = UNSET
    if encryption_declaration_id is not None:
        validate_id(encryption_declaration_id, what="encryption declaration id")
        relationships = BuildUpdateRequestDataRelationships(
            app_encryption_declaration=BuildUpdateRequestDataRelationshipsAppEncryptionDeclaration(
                data=BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationData(
                    type_=BuildUpdateRequestDataRelationshipsAppEncryptionDeclarationDataType.APPENCRYPTIONDECLARATIONS,
                    id=encryption_declaration_id,
                )
            )
        )
    return BuildUpdateRequest(
        data=BuildUpdateRequestData(
            type_=BuildUpdateRequestDataType.BUILDS,
            id=build_id,
            attributes=attributes,
            relationships=relationships,
        )
    )


def _unverified(
    build_id: str, status_code: int, rid: str | None, problem: str, content: bytes | None
) -> UnverifiedChangeError:
    suffix = f" [request id {rid}]" if rid else ""
    return UnverifiedChangeError(
        f"App Store Connect answered {status_code} to the change of build {build_id}, so the "
        f"change was applied (or may have been), but {problem}; re-read the build to see its "
        f"state{suffix}",
        build_id=build_id,
        status_code=status_code,
        request_id=rid,
        body=content,
    )


def parse_build(response: httpx.Response, build_id: str) -> Build:
    """The `Build` from a 2xx answer to the PATCH of `build_id`.

    The generated models already read leniently (the read rule of scripts/regen/lenient.py),
    so a body that still fails here is not a BuildResponse at all, or (checked first) not
    the build asked for. Apple has applied the change by then: UnverifiedChangeError says
    so, with the raw body, instead of reporting the PATCH as failed.
    """
    rid = request_id(response.headers)
    content = response.content
    try:
        document = decode_json(content)
    except ValueError as error:
        raise _unverified(
            build_id,
            response.status_code,
            rid,
            f"its body is not JSON ({type(error).__name__}: {error})",
            content,
        ) from None
    problem = identity_problem(document, "builds", build_id)
    if problem is not None:
        raise _unverified(build_id, response.status_code, rid, problem, content)
    try:
        return BuildResponse.from_dict(document).data
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise _unverified(
            build_id,
            response.status_code,
            rid,
            f"its body is not a BuildResponse ({type(error).__name__}: {error})",
            content,
        ) from error


def unreadable_change(error: ResponseValidationError, build_id: str) -> UnverifiedChangeError:
    """A 2xx the send path could not read (too large, undecodable), said as a PATCH's."""
    status_code, reason = 200, str(error)
    if isinstance(error, ResponseTooLargeError):
        status_code, reason = error.status_code, f"its {error.reason}"
    return _unverified(build_id, status_code, error.request_id, reason, None)


def update_operation(build_id: str, body: BuildUpdateRequest) -> dict[str, Any]:
    return builds_update_instance._get_kwargs(id=build_id, body=body)
