"""Which spec changes touch what the hand-written SDK uses, and what that does to it.

A change's `where` (see `diff`) is either a schema location (`Build.attributes.expired`,
`BuildResponse.included[]`) or an operation location (`GET /v1/builds`, `GET /v1/builds
parameter query fields[builds][]`, `PATCH /v1/builds/{id} request body`). The locations the
SDK uses are found by walking both slices from what the wrapper uses (`usage.SdkUsage`):

- an operation is used when the wrapper imports its generated module; its request body
  is then used, its parameters when the wrapper passes them (their Python names), its
  responses only when the wrapper calls the module's response parsing;
- a named schema is used when the wrapper imports its generated class, or a used location
  refers to it; inside a used schema, a property is used when the wrapper reads or writes
  its Python name; array items follow their array; a `oneOf` member is followed only when
  the wrapper picks its class (passes it as a value, as to `isinstance`);
- JSON:API fills a response's `included` only when the request sends `include`: the
  `included` of a response schema is used only when a used operation returning it is sent
  with its `include` parameter;
- an enum value at a used location is used when the wrapper spells it, names its member,
  or walks the whole generated enum.

A change at a used location touches the SDK; additions touch it only where they oblige it
(a request property or parameter that arrives required), or widen an enum it walks whole.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .diff import Action, Change, Kind
from .slicer import component_refs
from .usage import SdkUsage

__all__ = ["SdkChange", "operation_keys", "split_for_sdk"]

_SCHEMA_PREFIX = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class SdkChange:
    change: Change
    effect: str


def _ref_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return (
        ref[len(_SCHEMA_PREFIX) :]
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX)
        else None
    )


def _operations(document: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    found: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                found[f"{method.upper()} {path}"] = (item, item[method])
    return found


def _content_schemas(holder: Any) -> dict[str, Any]:
    content = holder.get("content", {}) if isinstance(holder, dict) else {}
    return {m: b.get("schema", {}) for m, b in content.items() if isinstance(b, dict)}


class _Reach:
    """The locations of both slices that the SDK uses."""

    def __init__(self, documents: tuple[dict[str, Any], ...], usage: SdkUsage) -> None:
        self.documents, self.usage = documents, usage
        self.locations: set[str] = set()
        self._seen: set[tuple[str, int]] = set()
        self.roots: set[str] = set()
        self.union_members: dict[str, set[str]] = {}
        self.enum_classes: dict[str, str] = {}
        self.operations: set[str] = set()
        self.sent_parameters: set[str] = set()  # "OP parameter query name"
        self.request_bodies: dict[str, set[str]] = {}  # schema name -> operations sending it
        self.includes: set[str] = set()  # response schemas whose `included` can be filled
        for document in documents:
            self._includes(document)
        for document in documents:
            self._operations(document)
            schemas = document.get("components", {}).get("schemas", {})
            for name in schemas:
                if name in usage.imported:
                    self._root(name)

    def _schemas(self, name: str) -> list[Any]:
        found = (d.get("components", {}).get("schemas", {}).get(name) for d in self.documents)
        return [schema for schema in found if schema is not None]

    def _root(self, name: str) -> None:
        if name in self.roots:
            return
        self.roots.add(name)
        if name in self.usage.enum_members:
            self.enum_classes[name] = name
        for schema in self._schemas(name):
            self.walk(schema, name)

    def _includes(self, document: dict[str, Any]) -> None:
        for key, (_, operation) in _operations(document).items():
            generated = self.usage.operation_module_used(key)
            python = (
                generated.parameters.get("query include", (None, None))[0] if generated else None
            )
            if (
                generated is None
                or python is None
                or not self.usage.sends(generated.module, python)
            ):
                continue
            for status, response in operation.get("responses", {}).items():
                if str(status).startswith("2"):
                    for schema in _content_schemas(response).values():
                        self.includes.add(_ref_name(schema) or f"{key} response {status}")

    def _operations(self, document: dict[str, Any]) -> None:
        for key, (item, operation) in _operations(document).items():
            generated = self.usage.operation_module_used(key)
            if generated is None:
                continue
            self.operations.add(key)
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            for parameter in parameters:
                if not isinstance(parameter, dict):
                    continue
                name = f"{parameter.get('in')} {parameter.get('name')}"
                python, enum_class = generated.parameters.get(name, (None, None))
                if python is None or not self.usage.sends(generated.module, python):
                    continue
                where = f"{key} parameter {name}"
                self.sent_parameters.add(where)
                if enum_class:
                    self.enum_classes[where] = self.enum_classes[f"{where}[]"] = enum_class
                self.walk(parameter.get("schema", {}), where)
            body = operation.get("requestBody", {})
            for schema in _content_schemas(body).values():
                self.walk(schema, f"{key} request body")
            for _, name in component_refs(document, [body]):
                self.request_bodies.setdefault(name, set()).add(key)
            if generated.module in self.usage.response_parsing:
                for status, response in operation.get("responses", {}).items():
                    for schema in _content_schemas(response).values():
                        self.walk(schema, f"{key} response {status}")

    def walk(self, node: Any, where: str) -> None:
        # The same location is walked once per slice: each may hold different properties.
        if not isinstance(node, dict) or (where, id(node)) in self._seen:
            return
        self._seen.add((where, id(node)))
        self.locations.add(where)
        name = _ref_name(node)
        if name:
            self._root(name)
            return
        for key, sub in node.get("properties", {}).items():
            if key == "included" and where not in self.includes:
                continue
            if self.usage.uses_name(key):
                self.walk(sub, f"{where}.{key}")
        if isinstance(node.get("items"), dict):
            self.walk(node["items"], f"{where}[]")
        if isinstance(node.get("additionalProperties"), dict):
            self.walk(node["additionalProperties"], f"{where}{{*}}")
        for keyword in ("oneOf", "anyOf", "allOf"):
            for index, member in enumerate(node.get(keyword, [])):
                member_name = _ref_name(member)
                if member_name is None:
                    self.walk(member, f"{where}<inline member #{index}>")
                    continue
                self.union_members.setdefault(where, set()).add(member_name)
                if keyword == "allOf" or member_name in self.usage.picked:
                    self._root(member_name)


def _operation_of(where: str, keys: set[str]) -> str | None:
    matches = [k for k in keys if where == k or where.startswith(k + " ")]
    return max(matches, key=len) if matches else None


def _value(detail: str) -> object:
    try:
        return ast.literal_eval(detail)
    except (ValueError, SyntaxError):
        return detail


class _Judge:
    def __init__(self, reach: _Reach, usage: SdkUsage, operation_keys: set[str]) -> None:
        self.reach, self.usage, self.keys = reach, usage, operation_keys

    def request_operations(self, where: str) -> str:
        root = where.split(".", 1)[0].split("[", 1)[0]
        operations = sorted(self.reach.request_bodies.get(root, ()))
        return ", ".join(f"`{o}`" for o in operations)

    def effect(self, change: Change) -> str | None:
        """The change's effect on the SDK, or None when it does not touch what the SDK uses."""
        where, kind, action = change.where, change.kind, change.action
        operation = _operation_of(where, self.keys)
        used = where in self.reach.locations
        if operation is not None and kind in (Kind.OPERATION, Kind.PARAMETER, Kind.RESPONSE):
            return self._operation_effect(change, operation)
        if kind is Kind.SCHEMA:
            if action is Action.REMOVED and where in self.usage.imported:
                return f"the SDK imports `{where}`: the generated class disappears"
            return None
        if kind is Kind.ENUM:
            if not used:
                return None
            value = _value(change.detail)
            if not self.usage.uses_value(value, self.reach.enum_classes.get(where)):
                return None
            return self._enum_effect(change, where, operation)
        if kind is Kind.VARIANT:
            member = change.detail.split(" ", 1)[-1]
            if not used or (not member.startswith("inline") and member not in self.usage.picked):
                return None
            verb = "no longer comes" if action is Action.REMOVED else "now comes"
            return f"the SDK looks for `{member}` items here: it {verb}"
        if kind is Kind.DISCRIMINATOR:
            members = self.reach.union_members.get(where, set())
            if not used or not members & self.usage.picked:
                return None
            return "the SDK picks items of this union by class: how they are told apart changes"
        if kind is Kind.PROPERTY:
            parent = where.rsplit(".", 1)[0]
            obliges = change.impact == "breaking" and action is Action.ADDED
            if used:
                return self._property_effect(change, where, operation)
            if obliges and parent in self.reach.locations:
                return (
                    f"now required in the request the SDK sends ({self._sent_by(where, operation)})"
                )
            return None
        obliged = kind is Kind.REQUIRED and action is Action.ADDED and " parameter " in where
        if obliged and _operation_of(where, self.reach.operations) is not None:
            return "the SDK must now send this parameter"
        if not used:
            return None
        return self._value_effect(change, where, operation)

    def _sent_by(self, where: str, operation: str | None) -> str:
        return f"`{operation}`" if operation else self.request_operations(where) or "a request"

    def _is_request(self, where: str, operation: str | None) -> bool:
        if operation is not None:
            return " request body" in where or " parameter " in where
        return bool(self.request_operations(where))

    def _operation_effect(self, change: Change, operation: str) -> str | None:
        kind, action, detail = change.kind, change.action, change.detail
        if operation not in self.reach.operations:
            return None
        if kind is Kind.OPERATION:
            return "the SDK calls this operation" if action is Action.REMOVED else None
        if kind is Kind.PARAMETER:
            name = detail.removeprefix("parameter ").removesuffix(" (required)")
            if action is Action.ADDED:
                return "the SDK must now send it" if detail.endswith("(required)") else None
            if f"{operation} parameter {name}" in self.reach.sent_parameters:
                return "the SDK sends this parameter: the generated operation no longer takes it"
            return None
        generated = self.usage.operations.get(operation)
        if generated is not None and generated.module in self.usage.response_parsing:
            return "the SDK parses this operation's responses with the generated code"
        if " request body" in change.where:
            return "the request body the SDK sends changes media type"
        return None

    def _enum_effect(self, change: Change, where: str, operation: str | None) -> str:
        enum_class = self.reach.enum_classes.get(where)
        walked = enum_class is not None and enum_class in self.usage.iterated
        added = change.action is Action.ADDED
        if walked:
            verb = "accepts" if added else "no longer accepts"
            return f"the SDK {verb} this value (it offers every value of `{enum_class}`)"
        if self._is_request(where, operation):
            if added:
                return "the SDK may now send this value"
            return "the SDK sends this value: no longer allowed"
        if added:
            return "a value the SDK spells may now come back"
        return (
            "the SDK compares against this value: it no longer comes (unknown values still parse)"
        )

    def _property_effect(self, change: Change, where: str, operation: str | None) -> str:
        name = self.usage.python_name(where.rsplit(".", 1)[-1])
        if self._is_request(where, operation):
            sent = self._sent_by(where, operation)
            if change.action is Action.REMOVED:
                return (
                    f"the SDK writes `{name}` in the request it sends ({sent}): no longer accepted"
                )
            return f"the request the SDK sends ({sent}) gains `{name}`"
        if change.action is Action.REMOVED:
            return f"the SDK reads `{name}`: the generated attribute disappears"
        return f"the SDK reads a `{name}`: the generated model gains it here"

    def _value_effect(self, change: Change, where: str, operation: str | None) -> str:
        name = self.usage.python_name(where.rsplit(".", 1)[-1].split("[", 1)[0])
        if self._is_request(where, operation):
            sent = self._sent_by(where, operation)
            if change.kind is Kind.NULLABLE:
                can = "can now" if change.action is Action.ADDED else "can no longer"
                return f"the request body the SDK sends ({sent}): `{name}` {can} be null"
            return f"the request the SDK sends ({sent}): `{name}`: {change.detail}"
        if change.kind is Kind.NULLABLE:
            can = "can now be None" if change.action is Action.ADDED else "is no longer None"
            return f"the SDK reads `{name}`: it {can}"
        if change.kind is Kind.REQUIRED:
            may = "may now be UNSET" if change.action is Action.REMOVED else "is always set"
            return f"the SDK reads `{name}`: it {may}"
        return f"the SDK reads `{name}`: its generated type changes ({change.detail})"


def operation_keys(document: dict[str, Any]) -> set[str]:
    """`METHOD /path` of every operation, as the diff names them."""
    return set(_operations(document))


def split_for_sdk(
    changes: list[Change], old: dict[str, Any], new: dict[str, Any], usage: SdkUsage
) -> tuple[list[SdkChange], list[Change]]:
    """The changes that touch what the SDK uses (with their effect), and the rest."""
    reach = _Reach((old, new), usage)
    keys = set(_operations(old)) | set(_operations(new))
    judge = _Judge(reach, usage, keys)
    touching: list[SdkChange] = []
    rest: list[Change] = []
    for change in changes:
        effect = judge.effect(change)
        if effect is None:
            rest.append(change)
        else:
            touching.append(SdkChange(change, effect))
    return touching, rest
