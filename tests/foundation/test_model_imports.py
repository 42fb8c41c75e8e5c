"""Model modules import the models they refer to once, on first use.

See openapi/templates/model.py.jinja. The generator's own template runs those imports
inside every to_dict/from_dict call; for a BuildResponse that was most of the parse.
"""

from __future__ import annotations

import builtins
import copy
import subprocess
import sys
from typing import Any

import pytest
from asc_builds_generated.models import BuildResponse, BuildUpdateRequest

UPDATE = {"data": {"type": "builds", "id": "b1", "attributes": {"expired": True}}}


def _included(example_response: dict[str, Any]) -> dict[str, Any]:
    # An `included` entry of a known type and one of an unknown type reach the union
    # members' models too, not only the path of `data`.
    document = copy.deepcopy(example_response)
    document["included"] = [
        {"type": "apps", "id": "a1", "attributes": {"name": "App", "bundleId": "com.example"}},
        {"type": "somethingNew", "id": "x1"},
    ]
    return document


def test_a_parse_runs_no_import_statement_after_the_first(
    example_response: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _included(example_response)
    BuildResponse.from_dict(document).to_dict()  # the first use resolves the imports
    BuildUpdateRequest.from_dict(UPDATE).to_dict()
    imports: list[str] = []
    real_import = builtins.__import__

    def counting_import(name: str, *args: Any, **kwargs: Any) -> Any:
        imports.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", counting_import)
    parsed = BuildResponse.from_dict(document)
    assert parsed.to_dict() == document
    assert BuildUpdateRequest.from_dict(UPDATE).to_dict() == UPDATE
    monkeypatch.undo()
    assert imports == []


def test_a_model_module_imports_the_models_it_refers_to_on_first_use() -> None:
    probe = (
        "import sys\n"
        "from asc_builds_generated.models.build_response import BuildResponse\n"
        "assert 'asc_builds_generated.models.build' not in sys.modules\n"
        "assert 'asc_builds_generated.models.app' not in sys.modules\n"
        "BuildResponse.from_dict({'data': {'type': 'builds', 'id': 'b1'},"
        " 'links': {'self': 'https://example.com/v1/builds/b1'}})\n"
        "assert 'asc_builds_generated.models.build' in sys.modules\n"
        "assert 'asc_builds_generated.models.app' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
