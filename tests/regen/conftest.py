"""Fixtures for the regeneration tests: the two derived slices and throwaway checkouts."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..checkouts import ROOT, copy_checkout, run_regenerate

SLICES = ROOT / "tests" / "fixtures" / "slices"
OLD_SLICE = SLICES / "app-store-connect-3.7.0.slice.json"
NEW_SLICE = SLICES / "app-store-connect-4.4.1.slice.json"

Json = dict[str, Any]


def load(path: Path) -> Json:
    document: Json = json.loads(path.read_text("utf-8"))
    return document


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file regeneration may write, by relative path: to prove nothing was touched."""
    files: dict[str, bytes] = {}
    for folder in ("openapi", "generated"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


@pytest.fixture(scope="session")
def old_slice() -> Json:
    return load(OLD_SLICE)


@pytest.fixture(scope="session")
def new_slice() -> Json:
    return load(NEW_SLICE)


@pytest.fixture(scope="session")
def pinned_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout pinned to the 4.4.1 fixture slice, generated once per session."""
    # The committed client was generated from this very slice when they match
    # (tests/foundation checks it is not stale): copying it saves a generation.
    pinned = (ROOT / "openapi" / "slice.json").read_bytes() == NEW_SLICE.read_bytes()
    root = copy_checkout(tmp_path_factory.mktemp("pinned"), with_generated=pinned)
    if pinned:
        return root
    shutil.copyfile(NEW_SLICE, root / "openapi" / "slice.json")
    # The lock keeps the checkout's upstream entry: the slice is cut from it.
    result = run_regenerate(root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def checkout(pinned_checkout: Path, tmp_path: Path) -> Path:
    """A fresh copy of the pinned checkout for one test to change."""
    root = tmp_path / "checkout"
    shutil.copytree(pinned_checkout, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def write_upstream(tmp_path: Path) -> Callable[[Json, str], Path]:
    """Write a (modified) slice as an upstream .json: a slice re-slices to itself."""

    def write(document: Json, name: str) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(copy.deepcopy(document), indent=2), "utf-8")
        return path

    return write
