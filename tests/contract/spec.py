"""The pinned slice, as Apple publishes it and as the SDK is generated from it.

Every schema the contract tests use is read from `openapi/slice.json`, so a
regenerated slice re-targets every test without edits here.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from regen.generate import generator_input

__all__ = [
    "APPLE_HOST_URL",
    "OPERATION_METHOD",
    "OPERATION_PATH",
    "ROOT",
    "SLICE_PATH",
    "apple_spec",
    "declared_statuses",
    "error_statuses",
    "operation",
    "patched_spec",
    "request_schema_name",
    "response_schema_name",
    "schema_name",
]

JSON = dict[str, Any]

ROOT = Path(__file__).resolve().parents[2]
SLICE_PATH = ROOT / "openapi" / "slice.json"
OVERLAY_PATH = ROOT / "openapi" / "overlay.json"
OPERATION_PATH = "/v1/builds/{id}"
OPERATION_METHOD = "patch"


@functools.cache
def _slice() -> JSON:
    document: JSON = json.loads(SLICE_PATH.read_text(encoding="utf-8"))
    return document


def apple_spec() -> JSON:
    """The slice as Apple publishes it (a copy: callers may modify it)."""
    return copy.deepcopy(_slice())


@functools.cache
def _patched() -> JSON:
    return generator_input(_slice(), OVERLAY_PATH)


def patched_spec() -> JSON:
    """The slice with the overlay and the generic rules applied: what the generated client
    was built from."""
    return copy.deepcopy(_patched())


def _server_url(spec: JSON) -> str:
    return str(spec["servers"][0]["url"]).rstrip("/")


# Requests sent to loopback servers are matched against Apple's server entry.
APPLE_HOST_URL = _server_url(_slice())


def operation(spec: JSON) -> JSON:
    operation_object: JSON = spec["paths"][OPERATION_PATH][OPERATION_METHOD]
    return operation_object


def schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def declared_statuses(spec: JSON) -> tuple[int, ...]:
    return tuple(sorted(int(status) for status in operation(spec)["responses"]))


def error_statuses(spec: JSON) -> tuple[int, ...]:
    return tuple(status for status in declared_statuses(spec) if status >= 400)


def response_schema_name(spec: JSON, status: int) -> str:
    content = operation(spec)["responses"][str(status)]["content"]["application/json"]
    return schema_name(content["schema"]["$ref"])


def request_schema_name(spec: JSON) -> str:
    content = operation(spec)["requestBody"]["content"]["application/json"]
    return schema_name(content["schema"]["$ref"])
