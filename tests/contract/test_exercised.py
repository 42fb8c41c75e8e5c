"""Every status, request attribute and relationship the slice declares is exercised."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import GATE_NAME
from .exercised import Exercised, declared_items, status_item
from .spec import apple_spec, request_schema_name

_HERE = Path(__file__).resolve().parent


def _grown_slice() -> dict[str, object]:
    spec = apple_spec()
    data = spec["components"]["schemas"][request_schema_name(spec)]["properties"]["data"]
    data["properties"]["attributes"]["properties"]["betaNotes"] = {"type": "string"}
    data["properties"]["relationships"]["properties"]["buildBundle"] = {"type": "object"}
    responses = spec["paths"]["/v1/builds/{id}"]["patch"]["responses"]
    responses["500"] = responses["400"]
    return spec


def test_a_slice_that_grows_is_caught() -> None:
    """Everything the pinned slice declares, exercised, still leaves the additions missing."""
    exercised = Exercised(items=set(declared_items(apple_spec())))
    assert exercised.missing(apple_spec()) == []
    assert exercised.missing(_grown_slice()) == [
        "request attribute betaNotes",
        "request relationship buildBundle",
        status_item(500),
    ]


def test_declared_items_come_from_the_slice() -> None:
    items = declared_items(apple_spec())
    assert "request attribute expired" in items
    assert "request attribute usesNonExemptEncryption" in items
    assert "request relationship appEncryptionDeclaration" in items
    assert status_item(200) in items and status_item(409) in items


def test_every_declared_item_is_exercised(
    exercised: Exercised, contract_selection: tuple[int, set[Path]]
) -> None:
    deselected, collected = contract_selection
    every_file = {path.resolve() for path in _HERE.glob("test_*.py")}
    if deselected or collected != every_file:
        pytest.skip("the exercised-items gate needs the whole contract suite in one run")
    assert exercised.missing(apple_spec()) == []


assert test_every_declared_item_is_exercised.__name__ == GATE_NAME
