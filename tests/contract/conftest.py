"""Fixtures of the contract suite: the exercised-items registry, Prism servers, hypothesis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from .exercised import Exercised
from .prism import PrismUnavailable, install_prism, running_prism
from .spec import SLICE_PATH

_HERE = Path(__file__).resolve().parent
GATE_NAME = "test_every_declared_item_is_exercised"

# Reproducible by default; HYPOTHESIS_PROFILE=explore draws fresh examples locally.
settings.register_profile(
    "contract-ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("explore", parent=settings.get_profile("contract-ci"), derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "contract-ci"))

_deselected: list[pytest.Item] = []


def _is_contract(item: pytest.Item) -> bool:
    return _HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_contract(item):
            item.add_marker(pytest.mark.contract)
    # The coverage gate reads what every other test recorded, so it runs last.
    items.sort(key=lambda item: _is_contract(item) and item.name == GATE_NAME)


def pytest_deselected(items: list[pytest.Item]) -> None:
    _deselected.extend(item for item in items if _is_contract(item))


@pytest.fixture(scope="session")
def contract_selection(request: pytest.FixtureRequest) -> tuple[int, set[Path]]:
    """How many contract tests were deselected, and which contract test files were collected."""
    files = {Path(str(item.path)).resolve() for item in request.session.items if _is_contract(item)}
    return len(_deselected), files


@pytest.fixture(scope="session")
def exercised() -> Exercised:
    return Exercised()


@pytest.fixture(scope="session")
def prism_binary() -> Path:
    try:
        return install_prism()
    except PrismUnavailable as reason:
        pytest.skip(str(reason))


@pytest.fixture(scope="session")
def prism_url(prism_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism answering from the slice's schemas and examples."""
    log = tmp_path_factory.mktemp("prism") / "static.log"
    with running_prism(prism_binary, SLICE_PATH, dynamic=False, log=log) as url:
        yield url


@pytest.fixture(scope="session")
def prism_dynamic_url(
    prism_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Prism answering with random data valid against the slice (`--dynamic`)."""
    log = tmp_path_factory.mktemp("prism") / "dynamic.log"
    with running_prism(prism_binary, SLICE_PATH, dynamic=True, log=log) as url:
        yield url


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # The drift suite's own count, so that every run says how much drift it checked.
    from .test_drift_suite import RAN

    if RAN:
        terminalreporter.write_line(
            f"drift suite: {sum(RAN.values())} distinct mutations over "
            f"{len(RAN)} response schemas ("
            + ", ".join(f"{root} {count}" for root, count in sorted(RAN.items()))
            + ")"
        )
