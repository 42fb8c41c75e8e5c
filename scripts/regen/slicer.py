"""Cut Apple's full App Store Connect spec down to the operations this SDK wraps.

The slice keeps Apple's data unmodified: the chosen operations, their
path-level parameters, every component reached transitively through `$ref`,
the security schemes, servers, info and top-level security. Keys keep
Apple's order, so a re-slice of the same upstream is byte-identical.

One generic rule trims, and only by deletion: an operation listed in
`QUERY_PARAMETERS` keeps just the query parameters named there, in Apple's
order and unmodified; its path and header parameters, body and responses stay
whole. It is for operations the SDK calls for one narrow purpose (`GET
/v1/apps` only resolves a bundle id; Apple declares 57 query parameters on it),
so the generated function, the contract and the change report carry only what
is sent. A listed name Apple no longer declares fails the slice, naming it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "OPERATIONS",
    "QUERY_PARAMETERS",
    "component_refs",
    "dump_json",
    "load_upstream",
    "read_json",
    "slice_spec",
]

# The one place that says what the SDK covers: (path, method) pairs.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/v1/builds/{id}", "patch"),
    ("/v1/builds/{id}", "get"),
    ("/v1/builds", "get"),
    ("/v1/apps", "get"),
    ("/v1/appEncryptionDeclarations/{id}", "get"),
)

# Operations whose query parameters are trimmed to the ones the SDK sends (see above).
QUERY_PARAMETERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("/v1/apps", "get"): ("filter[bundleId]", "fields[apps]", "limit"),
}

_PATH_ITEM_SHARED_KEYS = ("parameters", "servers", "summary", "description")
_REF_PREFIX = "#/components/"


def load_upstream(source: str | Path | bytes) -> dict[str, Any]:
    """Read Apple's spec from a `.json` file, Apple's zip, or their raw bytes."""
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [n for n in archive.namelist() if n.endswith("openapi.oas.json")]
            if len(members) != 1:
                raise ValueError(
                    f"expected one openapi.oas.json in the zip, found {len(members)}: {members}"
                )
            data = archive.read(members[0])
    spec = json.loads(data)
    if not isinstance(spec, dict) or "paths" not in spec or "components" not in spec:
        raise ValueError("not an OpenAPI document: no 'paths' or 'components'")
    return spec


def _iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _iter_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _iter_refs(value)


def _split_ref(ref: str) -> tuple[str, str]:
    if not ref.startswith(_REF_PREFIX):
        raise ValueError(f"unsupported $ref {ref!r}: only local component references are sliced")
    kind, _, name = ref[len(_REF_PREFIX) :].partition("/")
    if not name or "/" in name:
        raise ValueError(f"unsupported $ref {ref!r}")
    return kind, name


def component_refs(spec: dict[str, Any], roots: Any) -> set[tuple[str, str]]:
    """The (kind, name) of every component reached from `roots` through `$ref`."""
    components = spec["components"]
    seen: set[tuple[str, str]] = set()
    pending = list(_iter_refs(roots))
    while pending:
        key = _split_ref(pending.pop())
        if key in seen:
            continue
        kind, name = key
        try:
            target = components[kind][name]
        except KeyError:
            raise ValueError(f"dangling $ref #/components/{kind}/{name}") from None
        seen.add(key)
        pending.extend(_iter_refs(target))
    return seen


def _trim_query(operation: dict[str, Any], keep: tuple[str, ...], where: str) -> dict[str, Any]:
    parameters = operation.get("parameters", [])
    if any("$ref" in parameter for parameter in parameters):
        # A referenced parameter's name is not known here; trimming must not guess.
        raise ValueError(f"{where}: cannot trim query parameters given by $ref")
    declared = {p.get("name") for p in parameters if p.get("in") == "query"}
    missing = [name for name in keep if name not in declared]
    if missing:
        raise ValueError(f"upstream {where} no longer declares query parameter(s) {missing}")
    trimmed = dict(operation)
    trimmed["parameters"] = [
        p for p in parameters if p.get("in") != "query" or p.get("name") in keep
    ]
    return trimmed


def slice_spec(
    spec: dict[str, Any],
    operations: tuple[tuple[str, str], ...] = OPERATIONS,
    query_parameters: dict[tuple[str, str], tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """Return the standalone sub-document serving `operations`."""
    keep_query = QUERY_PARAMETERS if query_parameters is None else query_parameters
    paths: dict[str, Any] = {}
    for path, method in operations:
        item = spec["paths"].get(path)
        if item is None or method not in item:
            raise ValueError(f"upstream has no operation {method.upper()} {path}")
    for path in dict.fromkeys(path for path, _ in operations):
        chosen = {method for p, method in operations if p == path}
        # Path-level keys (notably the `id` parameter) travel with the operation.
        paths[path] = {
            key: (
                _trim_query(value, keep_query[(path, key)], f"{key.upper()} {path}")
                if (path, key) in keep_query
                else value
            )
            for key, value in spec["paths"][path].items()
            if key in chosen or key in _PATH_ITEM_SHARED_KEYS
        }

    reached = component_refs(spec, paths)
    requirements = list(spec.get("security", []))
    for item in paths.values():
        for value in item.values():
            if isinstance(value, dict):
                requirements.extend(value.get("security", []))
    security_names = {name for requirement in requirements for name in requirement}
    reached |= {("securitySchemes", name) for name in security_names}

    components: dict[str, Any] = {}
    for kind, members in spec["components"].items():
        kept_members = {name: body for name, body in members.items() if (kind, name) in reached}
        if kept_members:
            components[kind] = kept_members

    sliced: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "paths":
            sliced[key] = paths
        elif key == "components":
            sliced[key] = components
        elif key in ("openapi", "info", "servers", "security", "tags", "externalDocs"):
            sliced[key] = value
    return sliced


def dump_json(document: Any) -> str:
    """The project's one JSON formatting: 2-space indent, UTF-8, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
