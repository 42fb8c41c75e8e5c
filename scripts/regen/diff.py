"""Semantic comparison of two slices: what changed for users of the SDK.

The walk follows the structure an SDK user sees, not the JSON text: the
operations and their responses, the named schemas, and inside each schema its
properties, item types and `oneOf` members (the `included` variants), down to
type, format, `nullable`, `required` and enum values. Descriptions, examples
and key order are ignored: they change no generated type.

Classification, for an SDK that sends `BuildUpdateRequest` and parses every
response (the report's legend repeats it):

- anything removed (operation, response, parameter, schema, property,
  `oneOf` member, enum value, discriminator mapping) is breaking: code that
  used it no longer type-checks or no longer receives it;
- anything added is additive, except a request property or parameter that
  arrives required, or an existing request property that becomes required:
  code that did not send it now sends an invalid request;
- `nullable` added is additive (the generated type widens to `T | None`);
  removed is breaking (code that handled None no longer matches the types);
- `required` removed from a response property is breaking (the field may now
  be UNSET), added to one is additive; on the request side the reverse;
- an enum value added is additive on both sides: requests simply gain a
  choice, and the generated enums keep values they do not know (`_missing_`),
  so responses carrying a new value still parse;
- a type or format change is breaking: the generated Python type changes,
  which narrows what at least one side accepts;
- a property that moves between an inline schema and a named one (or to a
  different named one) is breaking: the generated class is renamed; the walk
  then compares the two resolved schemas, so their own changes show too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .lock import content_sha256
from .slicer import component_refs

__all__ = [
    "Action",
    "Change",
    "Impact",
    "Kind",
    "comparable_sha256",
    "diff_slices",
]

_SCHEMA_PREFIX = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Impact(StrEnum):
    BREAKING = "breaking"
    ADDITIVE = "additive"


class Action(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Kind(StrEnum):
    OPERATION = "operation"
    RESPONSE = "response"
    PARAMETER = "parameter"
    SCHEMA = "schema"
    PROPERTY = "property"
    VARIANT = "variant"
    TYPE = "type"
    FORMAT = "format"
    NULLABLE = "nullable"
    REQUIRED = "required"
    ENUM = "enum value"
    REFERENCE = "reference"
    DISCRIMINATOR = "discriminator"


@dataclass(frozen=True, order=True)
class Change:
    """One semantic difference; `where` is a dotted path such as `Build.attributes.x`."""

    impact: Impact
    kind: Kind
    action: Action
    where: str
    detail: str


# Which side of the wire a schema travels on decides how `required` is judged.
_REQUEST, _RESPONSE = "request", "response"
_Usage = frozenset[str]


def comparable_sha256(slice_document: dict[str, Any]) -> str:
    """Content hash of a slice, blind to `info.version`.

    Apple bumps the version for changes elsewhere in the API; a slice whose
    content is identical must read as "no change" although the version moved.
    """
    document = copy.deepcopy(slice_document)
    info = document.get("info")
    if isinstance(info, dict):
        info.pop("version", None)
    return content_sha256(document)


def _operations(document: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    found: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                found[f"{method.upper()} {path}"] = (item, item[method])
    return found


def _schema_usage(document: dict[str, Any]) -> dict[str, set[str]]:
    usage: dict[str, set[str]] = {}
    for _, operation in _operations(document).values():
        sides = (
            (_REQUEST, [operation.get("requestBody", {}), operation.get("parameters", [])]),
            (_RESPONSE, [operation.get("responses", {})]),
        )
        for side, roots in sides:
            for kind, name in component_refs(document, roots):
                if kind == "schemas":
                    usage.setdefault(name, set()).add(side)
    return usage


def _ref_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
        return ref[len(_SCHEMA_PREFIX) :]
    return None


def _describe(node: Any) -> str:
    name = _ref_name(node)
    if name:
        return name
    if not isinstance(node, dict):
        return "?"
    text = str(node.get("type", "schema"))
    if node.get("format"):
        text += f" ({node['format']})"
    if node.get("type") == "array":
        text += f" of {_describe(node.get('items', {}))}"
    return text


def _member_key(member: Any, index: int) -> str:
    return _ref_name(member) or f"inline member #{index}"


def _content_schemas(holder: dict[str, Any]) -> dict[str, Any]:
    return {
        media: body.get("schema", {})
        for media, body in holder.get("content", {}).items()
        if isinstance(body, dict)
    }


class _Walker:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        old_usage, new_usage = _schema_usage(old), _schema_usage(new)
        self.usage = {
            name: frozenset(old_usage.get(name, set()) | new_usage.get(name, set()))
            for name in old_usage.keys() | new_usage.keys()
        }
        self.changes: list[Change] = []
        self._followed: set[tuple[str, str, str]] = set()

    def add(self, impact: Impact, kind: Kind, action: Action, where: str, detail: str) -> None:
        self.changes.append(Change(impact, kind, action, where, detail))

    def _schemas(self, document: dict[str, Any]) -> dict[str, Any]:
        schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
        return schemas

    # -- top level ---------------------------------------------------------

    def run(self) -> list[Change]:
        self._operations()
        old_schemas, new_schemas = self._schemas(self.old), self._schemas(self.new)
        for name in sorted(old_schemas.keys() - new_schemas.keys()):
            self.add(Impact.BREAKING, Kind.SCHEMA, Action.REMOVED, name, "schema removed")
        for name in sorted(new_schemas.keys() - old_schemas.keys()):
            self.add(Impact.ADDITIVE, Kind.SCHEMA, Action.ADDED, name, "schema added")
        for name in sorted(old_schemas.keys() & new_schemas.keys()):
            usage = self.usage.get(name, frozenset({_RESPONSE}))
            self.walk(old_schemas[name], new_schemas[name], name, usage)
        return sorted(set(self.changes), key=lambda c: (c.impact != Impact.BREAKING, c.where, c))

    def _operations(self) -> None:
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        for key in sorted(old_ops.keys() - new_ops.keys()):
            self.add(Impact.BREAKING, Kind.OPERATION, Action.REMOVED, key, "operation removed")
        for key in sorted(new_ops.keys() - old_ops.keys()):
            self.add(Impact.ADDITIVE, Kind.OPERATION, Action.ADDED, key, "operation added")
        for key in sorted(old_ops.keys() & new_ops.keys()):
            (old_item, old_op), (new_item, new_op) = old_ops[key], new_ops[key]
            self._parameters(key, old_item, old_op, new_item, new_op)
            request = frozenset({_REQUEST})
            old_body = _content_schemas(old_op.get("requestBody", {}))
            new_body = _content_schemas(new_op.get("requestBody", {}))
            self._media(old_body, new_body, f"{key} request body", request)
            self._responses(key, old_op.get("responses", {}), new_op.get("responses", {}))

    def _parameters(
        self,
        key: str,
        old_item: dict[str, Any],
        old_op: dict[str, Any],
        new_item: dict[str, Any],
        new_op: dict[str, Any],
    ) -> None:
        def merged(item: dict[str, Any], op: dict[str, Any]) -> dict[str, dict[str, Any]]:
            # Operation-level parameters override path-level ones of the same name and place.
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            return {f"{p.get('in')} {p.get('name')}": p for p in params if isinstance(p, dict)}

        old_params, new_params = merged(old_item, old_op), merged(new_item, new_op)
        for name in sorted(old_params.keys() - new_params.keys()):
            self.add(Impact.BREAKING, Kind.PARAMETER, Action.REMOVED, key, f"parameter {name}")
        for name in sorted(new_params.keys() - old_params.keys()):
            required = bool(new_params[name].get("required"))
            impact = Impact.BREAKING if required else Impact.ADDITIVE
            text = f"parameter {name}" + (" (required)" if required else "")
            self.add(impact, Kind.PARAMETER, Action.ADDED, key, text)
        for name in sorted(old_params.keys() & new_params.keys()):
            where = f"{key} parameter {name}"
            was, now = (
                bool(old_params[name].get("required")),
                bool(new_params[name].get("required")),
            )
            if was != now:
                impact = Impact.BREAKING if now else Impact.ADDITIVE
                action = Action.ADDED if now else Action.REMOVED
                self.add(impact, Kind.REQUIRED, action, where, "required" if now else "optional")
            old_schema = old_params[name].get("schema", {})
            new_schema = new_params[name].get("schema", {})
            self.walk(old_schema, new_schema, where, frozenset({_REQUEST}))

    def _responses(self, key: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for status in sorted(old.keys() - new.keys()):
            self.add(Impact.BREAKING, Kind.RESPONSE, Action.REMOVED, key, f"response {status}")
        for status in sorted(new.keys() - old.keys()):
            schemas = ", ".join(_describe(s) for s in _content_schemas(new[status]).values())
            detail = f"response {status}" + (f" ({schemas})" if schemas else "")
            self.add(Impact.ADDITIVE, Kind.RESPONSE, Action.ADDED, key, detail)
        for status in sorted(old.keys() & new.keys()):
            self._media(
                _content_schemas(old[status]),
                _content_schemas(new[status]),
                f"{key} response {status}",
                frozenset({_RESPONSE}),
            )

    def _media(self, old: dict[str, Any], new: dict[str, Any], where: str, usage: _Usage) -> None:
        for media in sorted(old.keys() - new.keys()):
            self.add(Impact.BREAKING, Kind.RESPONSE, Action.REMOVED, where, f"media type {media}")
        for media in sorted(new.keys() - old.keys()):
            self.add(Impact.ADDITIVE, Kind.RESPONSE, Action.ADDED, where, f"media type {media}")
        for media in sorted(old.keys() & new.keys()):
            self.walk(old[media], new[media], where, usage)

    # -- schemas -----------------------------------------------------------

    def walk(self, old: Any, new: Any, where: str, usage: _Usage) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        old_ref, new_ref = _ref_name(old), _ref_name(new)
        if old_ref or new_ref:
            if old_ref == new_ref:
                return  # the named schema itself is compared once, under its own name
            self.add(
                Impact.BREAKING,
                Kind.REFERENCE,
                Action.CHANGED,
                where,
                f"{_describe(old)} -> {_describe(new)} (the generated class changes)",
            )
            followed = (where, old_ref or "", new_ref or "")
            if followed in self._followed:
                return
            self._followed.add(followed)
            old = self._schemas(self.old).get(old_ref, {}) if old_ref else old
            new = self._schemas(self.new).get(new_ref, {}) if new_ref else new
        self._scalar(old, new, where)
        self._enum(old, new, where)
        self._properties(old, new, where, usage)
        if "items" in old or "items" in new:
            self.walk(old.get("items", {}), new.get("items", {}), f"{where}[]", usage)
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.walk(old_extra, new_extra, f"{where}{{*}}", usage)
        for keyword in ("oneOf", "anyOf", "allOf"):
            self._members(keyword, old.get(keyword, []), new.get(keyword, []), where, usage)
        self._discriminator(old.get("discriminator", {}), new.get("discriminator", {}), where)

    def _scalar(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        for key, kind in (("type", Kind.TYPE), ("format", Kind.FORMAT)):
            if old.get(key) != new.get(key):
                was, now = old.get(key, "none"), new.get(key, "none")
                self.add(Impact.BREAKING, kind, Action.CHANGED, where, f"{key} {was} -> {now}")
        was_nullable, now_nullable = bool(old.get("nullable")), bool(new.get("nullable"))
        if was_nullable != now_nullable:
            impact = Impact.ADDITIVE if now_nullable else Impact.BREAKING
            action = Action.ADDED if now_nullable else Action.REMOVED
            self.add(impact, Kind.NULLABLE, action, where, f"nullable {action}")

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        old_values, new_values = old.get("enum", []), new.get("enum", [])
        for value in old_values:
            if value not in new_values:
                self.add(Impact.BREAKING, Kind.ENUM, Action.REMOVED, where, repr(value))
        for value in new_values:
            if value not in old_values:
                self.add(Impact.ADDITIVE, Kind.ENUM, Action.ADDED, where, repr(value))

    def _properties(
        self, old: dict[str, Any], new: dict[str, Any], where: str, usage: _Usage
    ) -> None:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        in_request = _REQUEST in usage
        for name in old_props:
            if name not in new_props:
                self.add(
                    Impact.BREAKING, Kind.PROPERTY, Action.REMOVED, f"{where}.{name}",
                    f"property removed ({_describe(old_props[name])})",
                )  # fmt: skip
        for name in new_props:
            if name in old_props:
                continue
            required = name in new_required
            impact = Impact.BREAKING if required and in_request else Impact.ADDITIVE
            detail = f"property added ({_describe(new_props[name])}" + (
                ", required)" if required else ")"
            )
            self.add(impact, Kind.PROPERTY, Action.ADDED, f"{where}.{name}", detail)
        for name in old_props:
            if name not in new_props:
                continue
            path = f"{where}.{name}"
            was, now = name in old_required, name in new_required
            if was != now:
                # Request: a new obligation breaks callers. Response: a lost guarantee does.
                breaking = (now and in_request) or (was and _RESPONSE in usage)
                impact = Impact.BREAKING if breaking else Impact.ADDITIVE
                action = Action.ADDED if now else Action.REMOVED
                self.add(impact, Kind.REQUIRED, action, path, "required" if now else "optional")
            self.walk(old_props[name], new_props[name], path, usage)

    def _members(
        self, keyword: str, old: list[Any], new: list[Any], where: str, usage: _Usage
    ) -> None:
        old_members = {_member_key(m, i): m for i, m in enumerate(old)}
        new_members = {_member_key(m, i): m for i, m in enumerate(new)}
        for key in old_members:
            if key not in new_members:
                self.add(Impact.BREAKING, Kind.VARIANT, Action.REMOVED, where, f"{keyword} {key}")
        for key in new_members:
            if key not in old_members:
                self.add(Impact.ADDITIVE, Kind.VARIANT, Action.ADDED, where, f"{keyword} {key}")
        for key in old_members:
            if key in new_members:
                self.walk(old_members[key], new_members[key], f"{where}<{key}>", usage)

    def _discriminator(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        if not old and not new:
            return
        if not old or not new:
            impact = Impact.ADDITIVE if new else Impact.BREAKING
            action = Action.ADDED if new else Action.REMOVED
            name = (new or old).get("propertyName")
            self.add(impact, Kind.DISCRIMINATOR, action, where, f"discriminator on {name!r}")
            return
        if old.get("propertyName") != new.get("propertyName"):
            detail = f"property {old.get('propertyName')!r} -> {new.get('propertyName')!r}"
            self.add(Impact.BREAKING, Kind.DISCRIMINATOR, Action.CHANGED, where, detail)
        old_map, new_map = old.get("mapping", {}), new.get("mapping", {})
        for value in sorted(old_map.keys() - new_map.keys()):
            self.add(
                Impact.BREAKING, Kind.DISCRIMINATOR, Action.REMOVED, where, f"mapping {value!r}"
            )
        for value in sorted(new_map.keys() - old_map.keys()):
            self.add(Impact.ADDITIVE, Kind.DISCRIMINATOR, Action.ADDED, where, f"mapping {value!r}")
        for value in sorted(old_map.keys() & new_map.keys()):
            if old_map[value] != new_map[value]:
                detail = f"mapping {value!r}: {old_map[value]} -> {new_map[value]}"
                self.add(Impact.BREAKING, Kind.DISCRIMINATOR, Action.CHANGED, where, detail)


def diff_slices(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every semantic change from `old` to `new`, breaking ones first."""
    return _Walker(old, new).run()
