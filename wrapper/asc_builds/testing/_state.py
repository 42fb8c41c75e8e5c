"""The resources the fake keeps, and their JSON as App Store Connect renders it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import attrs

__all__ = [
    "DECLARATION_STATES",
    "PROCESSING_STATES",
    "FakeBuild",
    "FakeEncryptionDeclaration",
    "build_document",
    "format_apple_datetime",
]

PROCESSING_STATES = ("PROCESSING", "FAILED", "INVALID", "VALID")
DECLARATION_STATES = ("CREATED", "IN_REVIEW", "APPROVED", "REJECTED", "INVALID", "EXPIRED")
DeclarationState = Literal["CREATED", "IN_REVIEW", "APPROVED", "REJECTED", "INVALID", "EXPIRED"]

# Apple prints dates in Cupertino's offset (see the documented example response).
_PACIFIC = timezone(timedelta(hours=-7))

# Relationships Apple lists on a build, with whether each has a `self` and `related`
# link, in the order of the documented example response.
_RELATIONSHIP_LINKS: tuple[tuple[str, bool, bool], ...] = (
    ("preReleaseVersion", True, True),
    ("individualTesters", True, True),
    ("betaGroups", True, False),
    ("betaBuildLocalizations", True, True),
    ("appEncryptionDeclaration", True, True),
    ("betaAppReviewSubmission", True, True),
    ("app", True, True),
    ("buildBetaDetail", True, True),
    ("appStoreVersion", True, True),
    ("icons", True, True),
    ("perfPowerMetrics", False, True),
    ("diagnosticSignatures", True, True),
)


def format_apple_datetime(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(int(epoch_seconds), tz=_PACIFIC)
    return moment.isoformat()


def _in(allowed: tuple[str, ...]) -> Any:
    return attrs.validators.in_(allowed)


@attrs.frozen
class FakeBuild:
    """A build as the fake stores it. Replaced, never mutated, on every change."""

    id: str
    app_id: str
    version: str = "1"
    expired: bool = False
    uses_non_exempt_encryption: bool | None = None
    encryption_declaration_id: str | None = None
    processing_state: str = attrs.field(default="VALID", validator=_in(PROCESSING_STATES))
    min_os_version: str = "17.0"
    uploaded_at: float = 1_767_225_600.0
    expires_at: float = 1_767_225_600.0 + 90 * 86_400


@attrs.frozen
class FakeEncryptionDeclaration:
    """An app encryption declaration; only its app and state matter to this endpoint."""

    id: str
    app_id: str
    state: DeclarationState = attrs.field(default="APPROVED", validator=_in(DECLARATION_STATES))


def _relationships(self_url: str) -> dict[str, Any]:
    relationships: dict[str, Any] = {}
    for name, has_self, has_related in _RELATIONSHIP_LINKS:
        links: dict[str, str] = {}
        if has_self:
            links["self"] = f"{self_url}/relationships/{name}"
        if has_related:
            links["related"] = f"{self_url}/{name}"
        relationships[name] = {"links": links}
    return relationships


def build_document(build: FakeBuild, base_url: str) -> dict[str, Any]:
    """A ``BuildResponse`` for ``build``, links rooted at ``base_url``."""
    self_url = f"{base_url}/v1/builds/{build.id}"
    attributes: dict[str, Any] = {
        "version": build.version,
        "uploadedDate": format_apple_datetime(build.uploaded_at),
        "expirationDate": format_apple_datetime(build.expires_at),
        "expired": build.expired,
        "minOsVersion": build.min_os_version,
        "iconAssetToken": {
            "templateUrl": "https://is1-ssl.mzstatic.com/image/thumb/fake/Icon.png/{w}x{h}bb.{f}",
            "width": 1024,
            "height": 1024,
        },
        "processingState": build.processing_state,
        # Apple's own example sends null here, which the pinned schema forbids; the fake
        # stays schema-valid.
        "buildAudienceType": "APP_STORE_ELIGIBLE",
    }
    if build.uses_non_exempt_encryption is not None:
        attributes["usesNonExemptEncryption"] = build.uses_non_exempt_encryption
    return {
        "data": {
            "type": "builds",
            "id": build.id,
            "attributes": attributes,
            "relationships": _relationships(self_url),
            "links": {"self": self_url},
        },
        "links": {"self": self_url},
    }
