"""Converging instead of failing: whether a build already holds what a PATCH asked for.

App Store Connect answers 409 when the target state already holds (expiring an expired
build, for one). A job run twice must not fail for that: after a 409 the build is read
again, and when it holds every requested value the call succeeds and reports that nothing
changed. Any other 409 stays an error, with Apple's entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

import attrs

if TYPE_CHECKING:
    from asc_builds_generated.models import Build

__all__ = ["ChangeStatus", "RequestedChange", "UpdateResult"]

ChangeStatus = Literal["changed", "already"]


class ReadBuild(Protocol):
    @property
    def expired(self) -> bool | None: ...
    @property
    def uses_non_exempt_encryption(self) -> bool | None: ...
    @property
    def encryption_declaration_id(self) -> str | None: ...


@attrs.frozen
class RequestedChange:
    """The values one PATCH asks for (None: not asked)."""

    expired: bool | None = None
    uses_non_exempt_encryption: bool | None = None
    encryption_declaration_id: str | None = None

    @property
    def read_include(self) -> tuple[str, ...]:
        """What the re-read must include to see every requested value."""
        return ("appEncryptionDeclaration",) if self.encryption_declaration_id else ()

    def differences(self, build: ReadBuild) -> list[str]:
        """The requested values `build` does not hold, described; empty when it holds all."""
        wanted: list[tuple[str, object, object]] = []
        if self.expired is not None:
            wanted.append(("expired", self.expired, build.expired))
        if self.uses_non_exempt_encryption is not None:
            wanted.append(
                (
                    "usesNonExemptEncryption",
                    self.uses_non_exempt_encryption,
                    build.uses_non_exempt_encryption,
                )
            )
        if self.encryption_declaration_id is not None:
            wanted.append(
                (
                    "appEncryptionDeclaration",
                    self.encryption_declaration_id,
                    build.encryption_declaration_id,
                )
            )
        return [
            f"{name} is {actual!r}, not {value!r}"
            for name, value, actual in wanted
            if actual != value
        ]


@attrs.frozen
class UpdateResult:
    """What `builds.apply` did to one build: `changed` is false when the build already held
    every requested value (App Store Connect answered 409 and a re-read showed them).

    `build` is the build as App Store Connect last showed it: the PATCH's answer, or the
    re-read (a `BuildInfo`'s generated `Build`).
    """

    build_id: str
    build: Build
    changed: bool

    @property
    def status(self) -> ChangeStatus:
        return "changed" if self.changed else "already"
