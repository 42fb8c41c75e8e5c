"""The one shape of `--json` output, for every command: JSON Lines of one kind of object.

With `--json` a command prints JSON Lines on stdout: one JSON object per line, each line
written (and flushed) as soon as what it reports is known, so a batch shows a line per
build as it finishes even when piped. Every line has these five members:

    kind     what the line reports, and the name of the member holding it (below)
    command  the command that printed it: "expire", "doctor", ... (null for a command
             line that could not be parsed)
    ok       false exactly when the line reports a failure
    id       the id of the build (or other resource) the line is about, else null
    <kind>   the payload, one of:
      resource  a JSON:API resource exactly as App Store Connect returned it, e.g. a build
                {"type": "builds", "id": ..., "attributes": {...}, "relationships": ...};
                a resource line has one more member, `included`: the resources App Store
                Connect included for it (for `get` and `list`, the build's pre-release
                version and encryption declaration), [] when there are none
      error     {"name": "NotFoundError", "message": ..., "status_code": 404 | null,
                 "request_id": ... | null, "errors": [{"status", "code", "title",
                 "detail", "id", "source_pointer", "source_parameter", "meta"}]}
      request   what --dry-run would have sent: {"method", "url", "headers", "body"}
                (credentials redacted)
      token     {"token", "key_id", "scope": [...] | null}
      check     one doctor check: {"name", "status": "ok" | "WARN" | "FAIL" | "SKIP",
                "detail"}
      server    the running fake-server: {"base_url", "environment", "bundle_id",
                "app_id", "build_ids", "encryption_declaration_id"} (one app's builds)
      summary   the last line of a command that reports several things:
                {"total", "succeeded", "failed", ...}, every count an integer; a command
                that changes builds counts "changed", "already" (the build already held
                the requested values: nothing changed) and "not_attempted"
      plan      one build of `expire --older-than` plan: {"action": "expire" | "keep",
                "reason", "marketing_version", "build_number", "uploaded_date"}
      progress  what one poll of `wait` saw: {"found", "state", "polls",
                "waited_seconds", "heartbeat"} (a line on each change, a heartbeat a minute);
                or, from any command, a wait of 5 s or more about to start:
                {"wait_seconds", "wait_for": "budget" | "retry", "message"}

Member names of our own are snake_case. What sits under `resource` and `request.body` is
Apple's JSON, unchanged (camelCase), so it can be read with Apple's documentation.

`get` and `list` print exactly one `resource` line per build, so `jq -r .id` gives build
ids. A batch (`expire ID ID ...`) prints one `resource` or `error` line per build, in the order
they finish, then one `summary` line. A usage error prints one `error` line whose `name`
is `UsageError`. `OUTPUT_SCHEMA` below is this description as a JSON Schema (draft
2020-12); the test suite validates every command's output against it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from ._visible import json_safe

__all__ = ["KINDS", "OUTPUT_SCHEMA", "Kind", "line"]

Kind = Literal[
    "resource", "error", "request", "token", "check", "server", "summary", "plan", "progress"
]
KINDS: tuple[Kind, ...] = (
    "resource",
    "error",
    "request",
    "token",
    "check",
    "server",
    "summary",
    "plan",
    "progress",
)

_TEXT_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}

_ERROR_ENTRY: dict[str, Any] = {
    "type": "object",
    "properties": {
        **{
            name: _TEXT_OR_NULL
            for name in (
                "status",
                "code",
                "title",
                "detail",
                "id",
                "source_pointer",
                "source_parameter",
            )
        },
        "meta": {"type": ["object", "null"]},
        "associated_errors": {"type": "object"},
    },
    "required": ["status", "code", "title", "detail"],
}

_PAYLOADS: dict[Kind, dict[str, Any]] = {
    "resource": {
        # JSON:API's resource object: Apple's own member names below this level.
        "type": "object",
        "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
        "required": ["type", "id"],
    },
    "error": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "message": {"type": "string"},
            "status_code": {"type": ["integer", "null"]},
            "request_id": _TEXT_OR_NULL,
            "errors": {"type": "array", "items": _ERROR_ENTRY},
        },
        "required": ["name", "message", "status_code", "request_id", "errors"],
        "additionalProperties": False,
    },
    "request": {
        "type": "object",
        "properties": {
            "method": {"type": "string"},
            "url": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "body": {"type": ["object", "null"]},
        },
        "required": ["method", "url", "headers", "body"],
        "additionalProperties": False,
    },
    "token": {
        "type": "object",
        "properties": {
            "token": {"type": "string"},
            "key_id": {"type": "string"},
            "scope": {"type": ["array", "null"], "items": {"type": "string"}},
        },
        "required": ["token", "key_id", "scope"],
        "additionalProperties": False,
    },
    "check": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "status": {"enum": ["ok", "WARN", "FAIL", "SKIP"]},
            "detail": {"type": "string"},
        },
        "required": ["name", "status", "detail"],
        "additionalProperties": False,
    },
    "server": {
        "type": "object",
        "properties": {
            "base_url": {"type": "string"},
            "environment": {"type": "object", "additionalProperties": {"type": "string"}},
            "bundle_id": {"type": "string"},
            "app_id": {"type": "string"},
            "build_ids": {"type": "array", "items": {"type": "string"}},
            "encryption_declaration_id": {"type": "string"},
        },
        "required": [
            "base_url",
            "environment",
            "bundle_id",
            "app_id",
            "build_ids",
            "encryption_declaration_id",
        ],
        "additionalProperties": False,
    },
    "plan": {
        "type": "object",
        "properties": {
            "action": {"enum": ["expire", "keep"]},
            "reason": {"type": "string"},
            "marketing_version": _TEXT_OR_NULL,
            "build_number": _TEXT_OR_NULL,
            "uploaded_date": _TEXT_OR_NULL,
        },
        "required": ["action", "reason", "marketing_version", "build_number", "uploaded_date"],
        "additionalProperties": False,
    },
    "progress": {
        "oneOf": [
            {
                # What one poll of `wait` saw.
                "type": "object",
                "properties": {
                    "found": {"type": "boolean"},
                    "state": _TEXT_OR_NULL,
                    "polls": {"type": "integer", "minimum": 1},
                    "waited_seconds": {"type": "number", "minimum": 0},
                    "heartbeat": {"type": "boolean"},
                },
                "required": ["found", "state", "polls", "waited_seconds", "heartbeat"],
                "additionalProperties": False,
            },
            {
                # A long wait about to start, of any command.
                "type": "object",
                "properties": {
                    "wait_seconds": {"type": "number", "minimum": 0},
                    "wait_for": {"enum": ["budget", "retry"]},
                    "message": {"type": "string"},
                },
                "required": ["wait_seconds", "wait_for", "message"],
                "additionalProperties": False,
            },
        ]
    },
    "summary": {
        "type": "object",
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "succeeded": {"type": "integer", "minimum": 0},
            "failed": {"type": "integer", "minimum": 0},
        },
        "required": ["total", "succeeded", "failed"],
        "additionalProperties": {"type": "integer", "minimum": 0},
    },
}

# `ok` is fixed where the kind decides it; a check or a summary can be either.
_OK_BY_KIND: dict[Kind, bool | None] = {
    "resource": True,
    "error": False,
    "request": True,
    "token": True,
    "check": None,
    "server": True,
    "summary": None,
    "plan": True,
    "progress": True,
}


# Members some kinds carry beside their payload.
_EXTRA_MEMBERS: dict[Kind, dict[str, Any]] = {
    # What App Store Connect included for this resource (for a build: its pre-release
    # version and its encryption declaration), each a resource as Apple returned it.
    "resource": {"included": {"type": "array", "items": _PAYLOADS["resource"]}},
}


def _line_schema(kind: Kind) -> dict[str, Any]:
    ok = _OK_BY_KIND[kind]
    extra = _EXTRA_MEMBERS.get(kind, {})
    return {
        "type": "object",
        "properties": {
            "kind": {"const": kind},
            "command": _TEXT_OR_NULL,
            "ok": {"type": "boolean"} if ok is None else {"const": ok},
            "id": _TEXT_OR_NULL,
            kind: _PAYLOADS[kind],
            **extra,
        },
        "required": ["kind", "command", "ok", "id", kind, *extra],
        "additionalProperties": False,
    }


OUTPUT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "One line of `asc-builds --json` output",
    "oneOf": [_line_schema(kind) for kind in KINDS],
}


def line(
    kind: Kind,
    payload: object,
    *,
    command: str | None,
    ok: bool,
    id: str | None,
    extra: Mapping[str, object] | None = None,
) -> str:
    """One output line (without its newline); `extra` holds a kind's own further members."""
    document = {"kind": kind, "command": command, "ok": ok, "id": id, kind: payload}
    if extra:
        document.update(extra)
    # json.dumps escapes C0 controls; DEL, C1 controls and bidi overrides it leaves raw with
    # ensure_ascii=False, and a terminal may obey them: escape those too.
    return json_safe(json.dumps(document, default=str, ensure_ascii=False))
