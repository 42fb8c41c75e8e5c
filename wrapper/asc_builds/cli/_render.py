"""How results and errors look: text for people, or the JSON Lines of `_output`.

Results go to `out`; in text mode errors go to `err`, and with `--json` everything is a
line on `out`, so a pipeline reads one stream of one shape.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from .._exceptions import APIStatusError
from ._output import Kind
from ._output import line as output_line
from ._visible import visible

if TYPE_CHECKING:
    from asc_builds_generated.models import Build

    from ..builds import BuildOutcome

__all__ = ["OutputClosed", "Renderer", "error_data", "error_text"]


class OutputClosed(KeyboardInterrupt):
    """Whoever read stdout has gone (`asc-builds list | head -1`): stop, as on Ctrl-C.

    A KeyboardInterrupt, so that a batch handles it as it handles Ctrl-C: raised from
    its `on_outcome`, no request starts after it. `run` ends the command quietly with the
    closed-pipe exit status.
    """


def _set(value: object) -> object:
    from asc_builds_generated.types import Unset

    return None if isinstance(value, Unset) else value


def build_text(build: Build) -> str:
    return visible(_build_text(build))


def _build_text(build: Build) -> str:
    # The generated models load httpx: imported by the commands that print a build only.
    from asc_builds_generated.models import BuildAttributes
    from asc_builds_generated.types import Unset

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
    # The SDK's messages already end with the request id Apple support asks for. They
    # carry the server's own words (detail, title), so control characters are shown.
    return visible(str(error))


def error_data(error: BaseException, *, name: str | None = None) -> dict[str, Any]:
    """The `error` payload of an output line; see `_output`."""
    status_code = getattr(error, "status_code", None)
    request_id = getattr(error, "request_id", None)
    entries = error.errors if isinstance(error, APIStatusError) else ()
    return {
        "name": name or type(error).__name__,
        # Unchanged: JSON escapes control characters itself (see _output).
        "message": str(error),
        "status_code": status_code if isinstance(status_code, int) else None,
        "request_id": request_id if isinstance(request_id, str) else None,
        "errors": [attrs.asdict(entry) for entry in entries],
    }


def request_text(description: Mapping[str, Any]) -> str:
    """A dry-run request as an HTTP message: request line, headers, blank line, body."""
    lines = [f"{description['method']} {description['url']}"]
    lines += [f"{name}: {value}" for name, value in description["headers"].items()]
    body = description["body"]
    lines += ["", json.dumps(body, indent=2) if body is not None else "(no body)"]
    return "\n".join(lines)


@attrs.define
class Renderer:
    """Writes one command's results to `out`, and in text mode its errors to `err`."""

    out: TextIO
    err: TextIO
    as_json: bool
    command: str | None = None
    # Batch results may arrive from worker threads.
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    # Set once stdout is found closed: nothing more is written to it.
    closed: bool = False

    def write_out(self, text: str) -> None:
        """Write to stdout and flush; OutputClosed once its reader has gone."""
        if self.closed:
            raise OutputClosed
        try:
            self.out.write(text)
            # Each line is a result a pipeline may act on at once: not left in a buffer.
            self.out.flush()
        except BrokenPipeError:
            self.closed = True
            raise OutputClosed from None

    def line(
        self,
        kind: Kind,
        payload: object,
        *,
        ok: bool,
        id: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        self.write_out(
            output_line(kind, payload, command=self.command, ok=ok, id=id, extra=extra) + "\n"
        )

    def resource(
        self, resource: Mapping[str, object], *, id: str, included: list[Any] | None = None
    ) -> None:
        """One resource line: the resource as Apple returned it, with what was included
        for it (a build's pre-release version and declaration) nested in the same line."""
        self.line("resource", dict(resource), ok=True, id=id, extra={"included": included or []})

    def text(self, text: str) -> None:
        """One line of text on stdout. Every line the command line prints goes through
        `visible`, here or in the other writers below: a server's text (a version, a
        state, an error's detail) cannot clear the screen or forge a line."""
        self.write_out(visible(text) + "\n")

    def build(self, build: Build) -> None:
        if self.as_json:
            self.resource(build.to_dict(), id=build.id)
        else:
            self.text(build_text(build))

    def request(self, description: Mapping[str, Any], *, id: str | None) -> None:
        if self.as_json:
            self.line("request", description, ok=True, id=id)
        else:
            # Several lines of its own making: each one written (and escaped) as a line.
            for line in request_text(description).splitlines():
                self.text(line)

    def outcome(self, outcome: BuildOutcome) -> None:
        """One finished build of a batch, printed at once (in the order builds finish):
        "changed", "already" (it held the requested values: nothing changed), "FAILED"."""
        with self._lock:
            if outcome.error is None:
                build = outcome.unwrap()
                if self.as_json:
                    self.resource(build.to_dict(), id=outcome.build_id)
                else:
                    self.text(f"{outcome.status:<8}{build_text(build)}")
            elif self.as_json:
                self.line("error", error_data(outcome.error), ok=False, id=outcome.build_id)
            elif outcome.status == "not attempted":
                self.text(f"NOTSENT {outcome.build_id}: not attempted (interrupted)")
            else:
                label = "FAILED" if outcome.status == "failed" else outcome.status
                self.text(f"{label:<8}{outcome.build_id}: {error_text(outcome.error)}")

    def summary(self, counts: Mapping[str, int], *, text: str | None = None) -> None:
        """The closing line of a command that reported several things."""
        if self.as_json:
            ok = counts["failed"] == 0 and not counts.get("not_attempted")
            self.line("summary", dict(counts), ok=ok)
        elif text is not None:
            self.text(text)

    def check(self, name: str, status: str, detail: str) -> None:
        if self.as_json:
            payload = {"name": name, "status": status, "detail": detail}
            self.line("check", payload, ok=status != "FAIL")
        else:
            self.text(f"{status:<5} {name}: {visible(detail)}")

    def error(self, error: BaseException, *, name: str | None = None) -> None:
        if self.as_json:
            self.line("error", error_data(error, name=name), ok=False)
        else:
            self.err.write(visible(f"asc-builds: error: {error_text(error)}") + "\n")
            self.err.flush()

    def progress(self, payload: Mapping[str, object], text: str, *, id: str | None) -> None:
        """A line of a long wait: JSON on `out`, text on `err` (results stay on `out`)."""
        if self.as_json:
            self.line("progress", dict(payload), ok=True, id=id)
        else:
            self.err.write(visible(text) + "\n")
            self.err.flush()

    def planned(self, payload: Mapping[str, object], text: str, *, id: str) -> None:
        """One build of an expiry plan."""
        if self.as_json:
            self.line("plan", dict(payload), ok=True, id=id)
        else:
            self.text(text)

    def note(self, text: str) -> None:
        self.err.write(visible(text) + "\n")
