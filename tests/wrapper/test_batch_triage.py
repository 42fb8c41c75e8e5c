"""A batch's read decides, without a PATCH, the ids whose build already holds the change
and the ids App Store Connect did not return; a read that fails is each id's outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from asc_builds import BuildInfo, BuildNotFoundError, ResponseValidationError
from asc_builds._steps import Steps
from asc_builds.builds._batch import Batch, BuildOutcome
from asc_builds.jobs._converge import RequestedChange, UpdateResult
from asc_builds_generated.models import Build, BuildAttributes
from asc_builds_generated.models.build_type import BuildType

from ..steps import run_steps


def _info(build_id: str, *, expired: bool) -> BuildInfo:
    return BuildInfo(
        Build(type_=BuildType.BUILDS, id=build_id, attributes=BuildAttributes(expired=expired))
    )


def _batch(read: object) -> Batch:
    def apply(build_id: str, current: BuildInfo) -> Steps[UpdateResult]:
        raise AssertionError("triage sends no PATCH")

    return Batch(["a", "b", "c"], 1, RequestedChange(expired=True), read, apply)  # type: ignore[arg-type]


def test_already_held_and_not_returned_are_decided_by_the_read() -> None:
    fresh = _info("b", expired=False)

    def read(chunk: Sequence[str]) -> Steps[Mapping[str, BuildInfo]]:
        assert list(chunk) == ["a", "b", "c"]
        return {"a": _info("a", expired=True), "b": fresh}
        yield

    already, to_change, missing = run_steps(_batch(read).triage(["a", "b", "c"]), lambda s: None)
    assert isinstance(already, BuildOutcome) and already.status == "already"
    assert to_change is fresh
    assert isinstance(missing, BuildOutcome) and missing.status == "failed"
    assert isinstance(missing.error, BuildNotFoundError) and "'c'" in str(missing.error)


def test_a_failed_read_is_each_ids_outcome() -> None:
    error = ResponseValidationError("not a BuildsResponse", request_id=None)

    def read(chunk: Sequence[str]) -> Steps[Mapping[str, BuildInfo]]:
        raise error
        yield

    triaged = run_steps(_batch(read).triage(["a", "b"]), lambda s: None)
    assert [(o.build_id, o.error) for o in triaged] == [("a", error), ("b", error)]  # type: ignore[union-attr]
