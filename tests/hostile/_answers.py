"""App Store Connect answers for the hostile servers: documents, and a routed behaviour.

`routed(handler)` turns a function of the request into a `Behaviour`: the handler returns a
`Reply` (a status, a body, headers, an optional delay, or a dropped connection). The
documents are the smallest a parser accepts, so that a thousand pages stay cheap.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._server import Behaviour, Context, Seen, respond

__all__ = [
    "APP_ID",
    "BUNDLE_ID",
    "DECLARATION_ID",
    "DEEP_JSON",
    "Handler",
    "Reply",
    "app",
    "build",
    "declaration",
    "document",
    "error_document",
    "origin",
    "page",
    "query",
    "routed",
]

APP_ID = "6443210987"
BUNDLE_ID = "com.example.hostile"
DECLARATION_ID = "decl-0001"
# 100,000 levels: far past the client's 64-level limit and Python's recursion limit.
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds to hold the answer back (cut short when the server stops).
    delay: float = 0.0
    # Close the connection without answering.
    drop: bool = False


# The request, and its number among the requests this server has seen (0 first).
Handler = Callable[[Seen, int], Reply]


def routed(handler: Handler) -> Behaviour:
    def behaviour(context: Context) -> bool:
        reply = handler(context.request, context.index)
        if reply.delay:
            context.stop.wait(reply.delay)
        if reply.drop or context.stopped():
            return False
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        respond(context.conn, reply.status, body, headers=reply.headers)
        return True

    return behaviour


def origin(request: Seen) -> str:
    """The server's own origin, as the client addressed it."""
    return f"http://{request.headers['host']}"


def query(request: Seen) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.path).query)


def build(
    build_id: str,
    *,
    number: str = "1",
    marketing: str = "1.0",
    state: str | None = "VALID",
    expired: bool = False,
    uploaded: str = "2020-01-01T00:00:00+00:00",
    app_id: str | None = APP_ID,
    declaration_id: str | None = None,
    type_: str = "builds",
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A build resource and what is included for it (its pre-release version)."""
    version_id = f"prv-{marketing}"
    relationships: dict[str, Any] = {
        "preReleaseVersion": {"data": {"type": "preReleaseVersions", "id": version_id}},
    }
    if app_id is not None:
        relationships["app"] = {"data": {"type": "apps", "id": app_id}}
    if declaration_id is not None:
        relationships["appEncryptionDeclaration"] = {
            "data": {"type": "appEncryptionDeclarations", "id": declaration_id}
        }
    attributes: dict[str, Any] = {
        "version": number,
        "expired": expired,
        "uploadedDate": uploaded,
        "usesNonExemptEncryption": declaration_id is not None,
    }
    if state is not None:
        attributes["processingState"] = state
    resource = {
        "type": type_,
        "id": build_id,
        "attributes": attributes,
        "relationships": relationships,
    }
    included = [
        {"type": "preReleaseVersions", "id": version_id, "attributes": {"version": marketing}}
    ]
    return resource, included


def document(resource: tuple[dict[str, Any], list[dict[str, Any]]]) -> dict[str, Any]:
    """One resource as a read by id answers it."""
    data, included = resource
    return {"data": data, "included": included, "links": {"self": "https://example.invalid/"}}


def page(
    resources: list[tuple[dict[str, Any], list[dict[str, Any]]]], next_url: object = None
) -> dict[str, Any]:
    links: dict[str, Any] = {"self": "https://example.invalid/"}
    if next_url is not None:
        links["next"] = next_url
    return {
        "data": [data for data, _ in resources],
        "included": [item for _, included in resources for item in included],
        "links": links,
        "meta": {"paging": {"total": len(resources), "limit": 200}},
    }


def app(app_id: str, bundle_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return {"type": "apps", "id": app_id, "attributes": {"bundleId": bundle_id}}, []


def declaration(
    declaration_id: str = DECLARATION_ID,
    *,
    state: str | None = "APPROVED",
    app_id: str | None = APP_ID,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {"appEncryptionDeclarationState": state}
    relationships: dict[str, Any] = {}
    if app_id is not None:
        relationships["app"] = {"data": {"type": "apps", "id": app_id}}
    data = {
        "type": "appEncryptionDeclarations",
        "id": declaration_id,
        "attributes": attributes,
        "relationships": relationships,
    }
    return {"data": data, "links": {"self": "https://example.invalid/"}}


def error_document(status: int, detail: str) -> dict[str, Any]:
    entry = {"status": str(status), "code": "ERROR", "title": "An error", "detail": detail}
    return {"errors": [entry]}
