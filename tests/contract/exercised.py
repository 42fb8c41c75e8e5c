"""What the contract tests exercised, checked against everything the slice declares."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from .spec import operation, request_schema_name

__all__ = ["Exercised", "declared_items", "request_items", "status_item"]

JSON = dict[str, Any]


def status_item(status: int) -> str:
    return f"response status {status}"


def _attribute_item(name: str) -> str:
    return f"request attribute {name}"


def _relationship_item(name: str) -> str:
    return f"request relationship {name}"


def declared_items(spec: JSON) -> frozenset[str]:
    """Every response status, request attribute and request relationship of the operation."""
    data = spec["components"]["schemas"][request_schema_name(spec)]["properties"]["data"]
    properties = data["properties"]
    return frozenset(
        [status_item(int(status)) for status in operation(spec)["responses"]]
        + [_attribute_item(name) for name in properties["attributes"]["properties"]]
        + [_relationship_item(name) for name in properties["relationships"]["properties"]]
    )


def request_items(body: JSON) -> set[str]:
    """The attributes and relationships a request body actually carried."""
    data = body.get("data", {}) if isinstance(body, dict) else {}
    return {_attribute_item(name) for name in data.get("attributes") or {}} | {
        _relationship_item(name) for name in data.get("relationships") or {}
    }


@dataclass
class Exercised:
    """Filled by every exchange that passes through `record`, across the session."""

    items: set[str] = field(default_factory=set)

    def record(self, request: httpx.Request, response: httpx.Response) -> None:
        content = request.read()
        if content:
            self.items |= request_items(json.loads(content))
        self.items.add(status_item(response.status_code))

    def missing(self, spec: JSON) -> list[str]:
        return sorted(declared_items(spec) - self.items)
