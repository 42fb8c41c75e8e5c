"""How results and errors look on the terminal, as text or as JSON."""

from __future__ import annotations

import json
import threading
from typing import Any, TextIO

import attrs
from asc_builds_generated.models import Build, BuildAttributes
from asc_builds_generated.types import Unset

from .._builds import BuildOutcome
from .._exceptions import APIStatusError, ResponseValidationError

__all__ = ["Renderer", "error_data", "error_text"]


def _set(value: object) -> object:
    return None if isinstance(value, Unset) else value


def build_text(build: Build) -> str:
    attributes = build.attributes
    # Absent, null, or (when its content did not fit the model) kept as raw JSON.
    if not isinstance(attributes, BuildAttributes):
        return f"{build.id}: updated"
    parts = [
        f"version {_set(attributes.version)}",
        f"expired={_set(attributes.expired)}",
        f"usesNonExemptEncryption={_set(attributes.uses_non_exempt_encryption)}",
    ]
    if not isinstance(attributes.processing_state, Unset):
        parts.append(f"processingState={attributes.processing_state}")
    return f"{build.id}: " + ", ".join(parts)


def error_text(error: BaseException) -> str:
    # The SDK's messages already end with the request id Apple support asks for.
    return str(error)


def error_data(error: BaseException) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIStatusError):
        data["status"] = error.status_code
        data["errors"] = [attrs.asdict(entry) for entry in error.errors]
    if isinstance(error, (APIStatusError, ResponseValidationError)):
        data["request_id"] = error.request_id
    return data


def _outcome_data(outcome: BuildOutcome) -> dict[str, Any]:
    if outcome.error is None:
        return {"id": outcome.build_id, "ok": True, "build": outcome.unwrap().to_dict()}
    return {"id": outcome.build_id, "ok": False, "error": error_data(outcome.error)}


@attrs.define
class Renderer:
    """Writes to `out` (results) and `err` (errors, progress) in the chosen format."""

    out: TextIO
    err: TextIO
    as_json: bool
    _total: int = 0
    _done: int = 0
    _failed: int = 0
    # Batch results arrive from worker threads.
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def json(self, data: object) -> None:
        self.out.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")

    def build(self, build: Build) -> None:
        if self.as_json:
            self.json(build.to_dict())
        else:
            self.out.write(build_text(build) + "\n")

    def outcomes(self, outcomes: list[BuildOutcome]) -> None:
        if self.as_json:
            self.json([_outcome_data(outcome) for outcome in outcomes])
            return
        for outcome in outcomes:
            if outcome.error is None:
                self.out.write(f"ok      {build_text(outcome.unwrap())}\n")
            else:
                self.out.write(f"FAILED  {outcome.build_id}: {error_text(outcome.error)}\n")
        failed = sum(1 for o in outcomes if not o.ok)
        self.out.write(f"{len(outcomes) - failed} expired, {failed} failed\n")

    def error(self, error: BaseException) -> None:
        if self.as_json:
            self.json({"ok": False, "error": error_data(error)})
        else:
            self.err.write(f"asc-builds: error: {error_text(error)}\n")

    def start_progress(self, total: int) -> None:
        self._total, self._done, self._failed = total, 0, 0

    def progress(self, outcome: BuildOutcome) -> None:
        """One more batch result; a live count on a terminal, nothing when piped."""
        with self._lock:
            self._done += 1
            self._failed += 0 if outcome.ok else 1
            if self.err.isatty():
                self.err.write(f"\r{self._done}/{self._total} done, {self._failed} failed")
                self.err.flush()

    def end_progress(self) -> None:
        if self._total and self.err.isatty():
            self.err.write("\n")

    def note(self, text: str) -> None:
        self.err.write(text + "\n")
