"""A build as read: `BuildInfo`, with the values people look builds up by under names
that cannot be confused.

Two numbers name a build, and Apple's names for them are easy to mix up:

- the build number, `CFBundleVersion`, is `Build.attributes.version` ("345");
- the marketing version, `CFBundleShortVersionString`, is the version of the build's
  pre-release version, `preReleaseVersion.attributes.version` ("2.1.0").
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import attrs

from .._documents import set_or_none

if TYPE_CHECKING:
    from asc_builds_generated.models import AppEncryptionDeclaration, Build, PrereleaseVersion

__all__ = ["BuildInfo", "linked_id"]


def linked_id(relationship: Any) -> str | None:
    """The id in a to-one relationship's `data` (present when the request included it)."""
    data = set_or_none(getattr(relationship, "data", None)) if relationship is not None else None
    linked = set_or_none(getattr(data, "id", None)) if data is not None else None
    return linked if isinstance(linked, str) else None


@attrs.frozen
class BuildInfo:
    """A build as read, with the values people look builds up by under unambiguous names.

    `build` is the generated model with everything Apple sent; `pre_release_version` and
    `encryption_declaration` are the included resources, when the request included them;
    `listed_app_id` is the app a listing filtered on (`find`), when it did;
    `declaration_read` is true when the read included `appEncryptionDeclaration`, so that
    `encryption_declaration_id` None means "none assigned", not "not asked".
    """

    build: Build
    pre_release_version: PrereleaseVersion | None = None
    encryption_declaration: AppEncryptionDeclaration | None = None
    listed_app_id: str | None = None
    declaration_read: bool = False

    @property
    def id(self) -> str:
        return self.build.id

    @property
    def _attributes(self) -> Any:
        return set_or_none(self.build.attributes)

    def _attribute(self, name: str) -> Any:
        attributes = self._attributes
        return None if attributes is None else set_or_none(getattr(attributes, name))

    @property
    def build_number(self) -> str | None:
        """The build number, `CFBundleVersion` ("345"): Apple's `Build.attributes.version`."""
        value = self._attribute("version")
        return value if isinstance(value, str) else None

    @property
    def marketing_version(self) -> str | None:
        """The marketing version, `CFBundleShortVersionString` ("2.1.0"): the version of the
        build's `preReleaseVersion`. None unless the request included `preReleaseVersion`."""
        if self.pre_release_version is None:
            return None
        attributes = set_or_none(self.pre_release_version.attributes)
        value = None if attributes is None else set_or_none(attributes.version)
        return value if isinstance(value, str) else None

    @property
    def uploaded_date(self) -> datetime.datetime | None:
        value = self._attribute("uploaded_date")
        return value if isinstance(value, datetime.datetime) else None

    @property
    def expiration_date(self) -> datetime.datetime | None:
        value = self._attribute("expiration_date")
        return value if isinstance(value, datetime.datetime) else None

    @property
    def expired(self) -> bool | None:
        value = self._attribute("expired")
        return value if isinstance(value, bool) else None

    @property
    def processing_state(self) -> str | None:
        """`PROCESSING`, `FAILED`, `INVALID`, `VALID`, or a value Apple added later."""
        value = self._attribute("processing_state")
        return None if value is None else str(value)

    @property
    def uses_non_exempt_encryption(self) -> bool | None:
        """The export compliance answer; None while unanswered."""
        value = self._attribute("uses_non_exempt_encryption")
        return value if isinstance(value, bool) else None

    @property
    def app_id(self) -> str | None:
        """The app's id, when the response carried the relationship's data or the build was
        found by app."""
        relationships = set_or_none(self.build.relationships)
        linked = linked_id(set_or_none(getattr(relationships, "app", None)))
        return linked if linked is not None else self.listed_app_id

    @property
    def encryption_declaration_id(self) -> str | None:
        """The assigned declaration's id, when the request included `appEncryptionDeclaration`."""
        relationships = set_or_none(self.build.relationships)
        return linked_id(set_or_none(getattr(relationships, "app_encryption_declaration", None)))

    def to_dict(self, *, full: bool = True) -> dict[str, Any]:
        """The unambiguous fields, JSON-ready; with `full`, the whole build under `build`."""
        uploaded, expires = self.uploaded_date, self.expiration_date
        summary = {
            "id": self.id,
            "marketing_version": self.marketing_version,
            "build_number": self.build_number,
            "uploaded_date": uploaded.isoformat() if uploaded else None,
            "expiration_date": expires.isoformat() if expires else None,
            "processing_state": self.processing_state,
            "expired": self.expired,
            "uses_non_exempt_encryption": self.uses_non_exempt_encryption,
            "encryption_declaration_id": self.encryption_declaration_id,
        }
        return {**summary, "build": self.build.to_dict()} if full else summary

    def __str__(self) -> str:
        version = self.marketing_version or "?"
        return f"{self.id} ({version} build {self.build_number or '?'})"
