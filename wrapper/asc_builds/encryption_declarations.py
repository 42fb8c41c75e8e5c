"""Reading an app encryption declaration: `GET /v1/appEncryptionDeclarations/{id}`.

The declaration is read with its app included (`include=app`), so that its
`relationships.app.data.id` says which app it belongs to: a build can only be given a
declaration of its own app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ._documents import operation_with_query, parse_document
from ._ids import validate_id
from ._steps import Call, Steps
from ._surface import AsyncSurface, SyncSurface, async_call, sync_call

# The generated operations and models are imported in the functions that use them:
# `import asc_builds` then loads none of them (start-up time of the command line).
if TYPE_CHECKING:
    from asc_builds_generated.models import AppEncryptionDeclaration

__all__ = [
    "AsyncEncryptionDeclarations",
    "DeclarationOperations",
    "EncryptionDeclarations",
    "declaration_get_operation",
    "parse_declaration",
]


def declaration_get_operation(declaration_id: str) -> dict[str, Any]:
    from asc_builds_generated.api.app_encryption_declarations import (
        app_encryption_declarations_get_instance,
    )
    from asc_builds_generated.models import AppEncryptionDeclarationsGetInstanceIncludeItem

    validate_id(declaration_id, what="encryption declaration id")
    kwargs = app_encryption_declarations_get_instance._get_kwargs(
        id=declaration_id, include=[AppEncryptionDeclarationsGetInstanceIncludeItem.APP]
    )
    return operation_with_query(kwargs)


def parse_declaration(response: httpx.Response, declaration_id: str) -> AppEncryptionDeclaration:
    from asc_builds_generated.models import AppEncryptionDeclarationResponse

    document = parse_document(
        response,
        AppEncryptionDeclarationResponse.from_dict,
        "AppEncryptionDeclarationResponse",
        resource_type="appEncryptionDeclarations",
        resource_id=declaration_id,
    )
    return document.data


class DeclarationOperations:
    """What `client.encryption_declarations` does, written once."""

    def get(
        self, declaration_id: str, *, max_retries: int | None = None
    ) -> Steps[AppEncryptionDeclaration]:
        """Read one declaration: its state (`attributes.app_encryption_declaration_state`)
        and its app (`relationships.app.data.id`)."""
        operation = declaration_get_operation(declaration_id)
        return parse_declaration((yield Call(operation, max_retries)), declaration_id)


class EncryptionDeclarations(SyncSurface[DeclarationOperations]):
    """`client.encryption_declarations` on a synchronous client."""

    get = sync_call(DeclarationOperations.get)


class AsyncEncryptionDeclarations(AsyncSurface[DeclarationOperations]):
    """`client.encryption_declarations` on an asyncio client."""

    get = async_call(DeclarationOperations.get)
