"""The drift suite: every mutation of every response schema of the slice parses into typed
models and round-trips exactly (see mutations.py for what is mutated, and where)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import asc_builds_generated.models as models
import attrs
import pytest
from regen.lenient import UNKNOWN_INCLUDED

from .mutations import (
    UNKNOWN_ENUM_VALUE,
    UNKNOWN_INCLUDED_TYPE,
    Mutation,
    base_body,
    distinct_count,
    mutated_body,
    mutations,
    response_roots,
)

KINDS = ("null", "null-linkage", "absent", "unknown-enum", "unknown-key", "unknown-included")

# Distinct mutated bodies per response schema, for the summary line and the coverage gate.
RAN: dict[str, int] = {}
# Every generated class (models and enums) a parsed mutation produced.
SEEN: set[type] = set()


def _walk(node: Any, path: str, seen: set[type], untyped: list[str], enums: list[StrEnum]) -> None:
    """Collect the classes in a parsed tree, the places kept as raw JSON where the model
    declares no dict (the generator's union fallback), and the enum values."""
    if isinstance(node, StrEnum):
        seen.add(type(node))
        enums.append(node)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _walk(item, f"{path}[{index}]", seen, untyped, enums)
    elif attrs.has(type(node)):
        seen.add(type(node))
        for field in attrs.fields(type(node)):
            if field.name == "additional_properties":
                # Raw JSON for undeclared keys; typed values for a declared map.
                for key, value in getattr(node, field.name).items():
                    if attrs.has(type(value)) or isinstance(value, StrEnum):
                        _walk(value, f"{path}[{key!r}]", seen, untyped, enums)
                continue
            value = getattr(node, field.name)
            declared = str(field.type)
            raw = [value] if not isinstance(value, list) else value
            if any(isinstance(item, dict) for item in raw) and "dict" not in declared:
                untyped.append(f"{path}.{field.name}")
            _walk(value, f"{path}.{field.name}", seen, untyped, enums)


def reachable_classes(roots: tuple[str, ...]) -> set[str]:
    """Every generated class a response model can hold, found through the models' own
    annotations (query-parameter enums and request models are not among them)."""
    names = set(models.__all__)
    found: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        cls = getattr(models, name)
        if attrs.has(cls):
            for field in attrs.fields(cls):
                pending += [word for word in re.findall(r"\w+", str(field.type)) if word in names]
    return found


def _first_difference(expected: Any, actual: Any, path: str = "$") -> str:
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return f"{path}: keys {sorted(expected.keys() ^ actual.keys())}"
        for key in expected:
            found = _first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            found = _first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return ""
    same = json.dumps(expected) == json.dumps(actual)
    return "" if same else f"{path}: {expected!r} != {actual!r}"


def check(mutation: Mutation | None, root: str, body: Any) -> str | None:
    """None when `body` parses into typed models and comes back identical, else why not."""
    label = str(mutation) if mutation else f"valid full {root}"
    model = getattr(models, root)
    try:
        parsed = model.from_dict(json.loads(json.dumps(body)))
    except Exception as error:  # the failure is the finding; report it with its mutation
        return f"{label}: {type(error).__name__}: {error}"
    back = parsed.to_dict()
    if json.dumps(back, sort_keys=True) != json.dumps(body, sort_keys=True):
        return f"{label}: round trip differs at {_first_difference(body, back)}"
    untyped: list[str] = []
    enums: list[StrEnum] = []
    _walk(parsed, root, SEEN, untyped, enums)
    if untyped:
        return f"{label}: kept as raw JSON instead of a model at {untyped[:3]}"
    if mutation and mutation.kind == "unknown-enum":
        unknown = [value for value in enums if value.value == UNKNOWN_ENUM_VALUE]
        if len(unknown) != 1 or getattr(unknown[0], "is_known", True):
            return f"{label}: the unknown value is not held by one open enum ({unknown})"
    if mutation and mutation.kind == "unknown-included":
        kept = [
            type(item).__name__
            for item in getattr(parsed, "included", None) or []
            if item.to_dict().get("type") == UNKNOWN_INCLUDED_TYPE
        ]
        if kept != [UNKNOWN_INCLUDED]:
            return f"{label}: the unknown resource became {kept}"
    return None


@pytest.mark.parametrize("root", response_roots())
def test_every_mutation_of_every_response_schema_parses_typed_and_round_trips(
    root: str, record_property: Callable[[str, object], None]
) -> None:
    failures = [] if check(None, root, base_body(root)) is None else [f"{root}: base body"]
    bodies: list[tuple[str, Any]] = []
    for mutation in mutations(root):
        body = mutated_body(mutation)
        bodies.append((root, body))
        problem = check(mutation, root, body)
        if problem:
            failures.append(problem)
    distinct = distinct_count(bodies)
    RAN[root] = distinct
    record_property("distinct_mutations", distinct)
    print(f"{root}: {len(bodies)} mutations, {distinct} distinct bodies")
    assert not failures, f"{len(failures)} of {len(bodies)} failed:\n" + "\n".join(failures[:15])
    assert distinct > 0


def test_the_suite_covers_every_kind_of_drift_and_every_response_model() -> None:
    """Runs after the sweep above (same module, later): every drift kind occurred, and every
    generated class of the response side was produced by some parsed mutation."""
    if set(RAN) != set(response_roots()):
        pytest.skip("needs the whole mutation sweep in the same run")
    kinds = {mutation.kind for root in response_roots() for mutation in mutations(root)}
    assert kinds == set(KINDS)
    response_classes = reachable_classes(response_roots())
    seen = {cls.__name__ for cls in SEEN}
    assert UNKNOWN_INCLUDED in response_classes
    assert sorted(response_classes - seen) == []
    total = sum(RAN.values())
    print(f"drift suite: {total} distinct mutations over {len(RAN)} response schemas")
    assert total > 1000
