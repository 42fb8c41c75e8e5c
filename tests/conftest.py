"""Fixtures shared by every test folder: project paths and Apple's upstream specs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# The regeneration pipeline lives in scripts/ (a tool, not part of the wheel).
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))


def _upstream(variable: str, release: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.skip(
            f"{variable} is not set: point it at Apple's {release} spec (.json or zip) to run "
            "the tests that need a full upstream spec (.ci/run does)"
        )
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{variable}={value} does not name a file")
    return path


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def slice_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "openapi" / "slice.json").read_text("utf-8"))
    return document


@pytest.fixture(scope="session")
def upstream_spec() -> Path:
    """Apple's 4.4.1 spec, the release the pinned slice was cut from."""
    return _upstream("ASC_UPSTREAM_SPEC", "4.4.1")


@pytest.fixture(scope="session")
def old_upstream_spec() -> Path:
    """Apple's 3.7.0 spec, an older release the pipeline must still handle."""
    return _upstream("ASC_UPSTREAM_SPEC_OLD", "3.7.0")


@pytest.fixture(scope="session")
def example_response_path() -> Path:
    return FIXTURES / "example-response.json"


@pytest.fixture(scope="session")
def example_request() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / "example-request.json").read_text("utf-8"))
    return document


@pytest.fixture(scope="session")
def example_response() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / "example-response.json").read_text("utf-8"))
    return document
