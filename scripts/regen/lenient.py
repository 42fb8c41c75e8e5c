"""The read rule: what the SDK reads is modelled leniently, what it sends stays strict.

Why (stated once, for every part of the rule): App Store Connect's live responses
drift from its published spec in ways that follow a few patterns, not a list of
fields. Apple sends `null` for values it has none for whether or not the spec says
`nullable`, answers "no related resource" with a to-one linkage of `"data": null`
(JSON:API's own convention), and includes resource types before the spec lists
them. A model that rejects any of these turns a PATCH that Apple applied into an
error. So the generator is given a spec that allows them in every schema the SDK
reads, at every depth, and nothing else is changed.

`read_leniently(document)` returns a new document in which, for every schema
reachable from an operation's responses (the response closure):

1. every property that is not required may be null (`nullable: true`; a `$ref`
   property is wrapped as `allOf: [$ref]` first, since OAS 3.0 ignores siblings of
   `$ref`);
2. every to-one relationship's `data` (a resource identifier: `type` and `id`) may be
   null, required or not;
3. every `included` array also accepts an `UnknownIncludedResource` (type, id and
   every other field kept), tried after the known members;
4. enums stay open: that is the `str_enum.py.jinja` template's job, not the spec's.

Request schemas stay exactly as Apple wrote them: what the SDK sends is what the
spec allows. A schema reachable from both a request body and a response would be
loosened for both, so the request side gets a strict copy, `<Name>Strict`, and every
reference from the request side points to it; the response side keeps Apple's name
(the models users read). Pipeline order: slice -> overlay (named patches) -> this
rule -> generator compatibility rules -> generator.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "RULE_NAME",
    "STRICT_SUFFIX",
    "UNKNOWN_INCLUDED",
    "read_leniently",
    "request_and_response_schemas",
]

RULE_NAME = "read-leniently"
UNKNOWN_INCLUDED = "UnknownIncludedResource"
STRICT_SUFFIX = "Strict"

JSON = dict[str, Any]

_SCHEMA_PREFIX = "#/components/schemas/"
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_UNKNOWN_INCLUDED_SCHEMA: JSON = {
    "type": "object",
    "title": UNKNOWN_INCLUDED,
    "description": (
        "An `included` resource of a type this SDK's pinned spec does not know. "
        "Every field Apple sent is kept."
    ),
    "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
    "required": ["id", "type"],
}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve_component(document: JSON, ref: str) -> Any:
    kind, _, name = ref.removeprefix("#/components/").partition("/")
    return document.get("components", {}).get(kind, {}).get(name)


def _schema_closure(document: JSON, roots: list[Any]) -> set[str]:
    """Names of the component schemas reached from `roots` through `$ref`, including
    references that pass through other components (responses, request bodies)."""
    schemas: set[str] = set()
    seen: set[str] = set()
    pending = [ref for root in roots for ref in _refs(root)]
    while pending:
        ref = pending.pop()
        if ref in seen or not ref.startswith("#/components/"):
            continue
        seen.add(ref)
        if ref.startswith(_SCHEMA_PREFIX):
            schemas.add(ref[len(_SCHEMA_PREFIX) :])
        target = _resolve_component(document, ref)
        if target is not None:
            pending.extend(_refs(target))
    return schemas


def _operations(document: JSON) -> Iterator[JSON]:
    for item in document.get("paths", {}).values():
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield operation


def request_and_response_schemas(document: JSON) -> tuple[set[str], set[str]]:
    """(schemas reachable from request bodies, schemas reachable from responses)."""
    requests = [op["requestBody"] for op in _operations(document) if "requestBody" in op]
    responses = [op.get("responses", {}) for op in _operations(document)]
    return _schema_closure(document, requests), _schema_closure(document, responses)


def _subschemas(schema: JSON) -> Iterator[JSON]:
    """The inline schemas directly inside `schema` (not through `$ref`)."""
    for key in ("allOf", "oneOf", "anyOf"):
        for member in schema.get(key, ()):
            if isinstance(member, dict):
                yield member
    for sub in schema.get("properties", {}).values():
        if isinstance(sub, dict):
            yield sub
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            yield schema[key]


def _makes_class(schema: JSON) -> bool:
    """Whether the generator turns this inline schema into a class of its own."""
    return bool(schema.get("enum")) or schema.get("type") == "object" or "properties" in schema


def _nullable(schema: JSON, name: str) -> JSON:
    """`schema` (the property `name`), allowing null as well."""
    if "$ref" in schema:
        # Siblings of $ref are ignored by OAS 3.0; keep the annotations on the wrapper.
        wrapper = {key: value for key, value in schema.items() if key != "$ref"}
        return {"allOf": [{"$ref": schema["$ref"]}], **wrapper, "nullable": True}
    loosened = {**schema, "nullable": True}
    if schema.get("enum") and None not in schema["enum"]:
        # OAS 3.0: `nullable` does not extend an enum's values, and the generator
        # only makes an enum nullable when null is one of them.
        loosened["enum"] = [*schema["enum"], None]
    # The generator models a nullable schema as a union and would name an inline class
    # after the union member (`BuildAttributesType0`); a title keeps the name it had.
    if _makes_class(schema) and "title" not in schema:
        loosened["title"] = name
    items = schema.get("items")
    if isinstance(items, dict) and _makes_class(items) and "title" not in items:
        loosened["items"] = {**items, "title": f"{name}_item"}
    return loosened


def _is_resource_identifier(document: JSON, schema: JSON) -> bool:
    """A JSON:API resource identifier: an object of `type` and `id` (and perhaps `meta`)."""
    if "$ref" in schema:
        target = _resolve_component(document, schema["$ref"])
        return isinstance(target, dict) and _is_resource_identifier(document, target)
    properties = schema.get("properties")
    if schema.get("type", "object") != "object" or not isinstance(properties, dict):
        return False
    return {"type", "id"} <= properties.keys() <= {"type", "id", "meta"}


def _loosen(document: JSON, schema: JSON, unknown_included: Callable[[], str]) -> None:
    """Apply parts 1 to 3 of the rule to `schema` and every inline schema inside it."""
    for sub in list(_subschemas(schema)):
        _loosen(document, sub, unknown_included)
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    required = set(schema.get("required", ()))
    for name, sub in list(properties.items()):
        if not isinstance(sub, dict):
            continue
        if name not in required or (name == "data" and _is_resource_identifier(document, sub)):
            properties[name] = _nullable(sub, name)
    included = properties.get("included")
    if isinstance(included, dict) and isinstance(included.get("items"), dict):
        items = included["items"]
        catch_all = {"$ref": _SCHEMA_PREFIX + unknown_included()}
        if "oneOf" not in items:
            # A single known type: make it the first member of a union with the catch-all.
            items = included["items"] = {"oneOf": [items]}
        if catch_all not in items["oneOf"]:
            items["oneOf"].append(catch_all)


def _strict_copies(document: JSON, request: set[str], response: set[str]) -> dict[str, str]:
    """Shared schemas that the rule would change (or that reach one), and the name of the
    strict copy each gets for the request side."""
    schemas = document["components"]["schemas"]

    def changed(name: str) -> bool:
        probe = copy.deepcopy(schemas[name])
        _loosen(document, probe, lambda: UNKNOWN_INCLUDED)
        return bool(probe != schemas[name])

    shared = request & response
    needs = {name for name in shared if changed(name)}
    growing = True
    while growing:
        growing = False
        for name in shared - needs:
            reached = {ref[len(_SCHEMA_PREFIX) :] for ref in _refs(schemas[name])}
            if reached & needs:
                needs.add(name)
                growing = True
    copies: dict[str, str] = {}
    for name in sorted(needs):
        strict = name + STRICT_SUFFIX
        if strict in schemas:
            raise ValueError(
                f"{RULE_NAME}: schema {name} is used by a request and a response, and its "
                f"strict copy's name {strict} is already taken by one of Apple's schemas"
            )
        copies[name] = strict
    return copies


def _repoint(node: Any, copies: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
            name = ref[len(_SCHEMA_PREFIX) :]
            if name in copies:
                node["$ref"] = _SCHEMA_PREFIX + copies[name]
        for value in node.values():
            _repoint(value, copies)
    elif isinstance(node, list):
        for value in node:
            _repoint(value, copies)


def read_leniently(document: JSON) -> JSON:
    """Return a copy of `document` with the read rule applied (see the module docstring)."""
    result = copy.deepcopy(document)
    schemas: JSON = result.setdefault("components", {}).setdefault("schemas", {})
    request, response = request_and_response_schemas(result)

    copies = _strict_copies(result, request, response)
    for name, strict in copies.items():
        schemas[strict] = copy.deepcopy(schemas[name])
    for name in (request - response) | set(copies.values()):
        _repoint(schemas[name], copies)
    for operation in _operations(result):
        if "requestBody" in operation:
            _repoint(operation["requestBody"], copies)

    def unknown_included() -> str:
        existing = schemas.get(UNKNOWN_INCLUDED)
        if existing is None:
            schemas[UNKNOWN_INCLUDED] = copy.deepcopy(_UNKNOWN_INCLUDED_SCHEMA)
        elif existing != _UNKNOWN_INCLUDED_SCHEMA:
            raise ValueError(
                f"{RULE_NAME}: Apple's spec now has a schema named {UNKNOWN_INCLUDED}; "
                "rename the rule's catch-all in scripts/regen/lenient.py"
            )
        return UNKNOWN_INCLUDED

    for name in sorted(response):
        _loosen(result, schemas[name], unknown_included)
    return result
