"""The resources the fake keeps, and their JSON as App Store Connect renders it."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import attrs

__all__ = [
    "DECLARATION_STATES",
    "PLATFORMS",
    "PROCESSING_STATES",
    "FakeApp",
    "FakeBuild",
    "FakeEncryptionDeclaration",
    "app_resource",
    "build_document",
    "build_resource",
    "declaration_resource",
    "format_apple_datetime",
    "pre_release_version_id",
    "pre_release_version_resource",
]

PROCESSING_STATES = ("PROCESSING", "FAILED", "INVALID", "VALID")
PLATFORMS = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")
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
    # The build number (CFBundleVersion): Apple's `Build.attributes.version`.
    version: str = "1"
    # The marketing version (CFBundleShortVersionString): its pre-release version's version.
    marketing_version: str = "1.0"
    platform: str = attrs.field(default="IOS", validator=_in(PLATFORMS))
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
    created_at: float = 1_767_225_600.0


@attrs.frozen
class FakeApp:
    """An app: what resolving a bundle id needs."""

    id: str
    bundle_id: str
    name: str = "Example"
    sku: str = "EXAMPLE"
    primary_locale: str = "en-US"


def pre_release_version_id(build: FakeBuild) -> str:
    """Apple has one pre-release version per app, platform and marketing version."""
    key = f"{build.app_id}/{build.platform}/{build.marketing_version}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


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


def build_resource(
    build: FakeBuild,
    base_url: str,
    included: Collection[str] = (),
    *,
    fields: Collection[str] | None = None,
) -> dict[str, Any]:
    """A ``Build`` resource; relationships named in ``included`` carry their ``data``;
    ``fields`` limits attributes and relationships as ``fields[builds]`` does."""
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
    relationships = _relationships(self_url)
    linkage: dict[str, dict[str, str] | None] = {
        "preReleaseVersion": {"type": "preReleaseVersions", "id": pre_release_version_id(build)},
        "app": {"type": "apps", "id": build.app_id},
        "appEncryptionDeclaration": (
            None
            if build.encryption_declaration_id is None
            else {"type": "appEncryptionDeclarations", "id": build.encryption_declaration_id}
        ),
    }
    for name in included:
        # JSON:API: an included to-one relationship says what it links to. The pinned
        # spec does not allow `data: null`, so a build without a declaration leaves it out.
        data = linkage[name]
        if data is not None:
            relationships[name]["data"] = data
    if fields is not None:
        # JSON:API sparse fieldsets: only the named attributes and relationships.
        attributes = {name: value for name, value in attributes.items() if name in fields}
        relationships = {name: value for name, value in relationships.items() if name in fields}
    return {
        "type": "builds",
        "id": build.id,
        "attributes": attributes,
        "relationships": relationships,
        "links": {"self": self_url},
    }


def build_document(build: FakeBuild, base_url: str) -> dict[str, Any]:
    """A ``BuildResponse`` for ``build``, links rooted at ``base_url``."""
    self_url = f"{base_url}/v1/builds/{build.id}"
    return {"data": build_resource(build, base_url), "links": {"self": self_url}}


def pre_release_version_resource(build: FakeBuild, base_url: str) -> dict[str, Any]:
    version_id = pre_release_version_id(build)
    self_url = f"{base_url}/v1/preReleaseVersions/{version_id}"
    return {
        "type": "preReleaseVersions",
        "id": version_id,
        "attributes": {"version": build.marketing_version, "platform": build.platform},
        "relationships": {
            "builds": {"links": {"related": f"{self_url}/builds"}},
            "app": {"links": {"related": f"{self_url}/app"}},
        },
        "links": {"self": self_url},
    }


def app_resource(
    app: FakeApp, base_url: str, fields: Collection[str] | None = None
) -> dict[str, Any]:
    """An ``App``; ``fields`` limits the attributes as ``fields[apps]`` does."""
    attributes = {
        "name": app.name,
        "bundleId": app.bundle_id,
        "sku": app.sku,
        "primaryLocale": app.primary_locale,
    }
    if fields is not None:
        attributes = {name: value for name, value in attributes.items() if name in fields}
    return {
        "type": "apps",
        "id": app.id,
        "attributes": attributes,
        "links": {"self": f"{base_url}/v1/apps/{app.id}"},
    }


def declaration_resource(
    declaration: FakeEncryptionDeclaration, base_url: str, *, include_app: bool
) -> dict[str, Any]:
    self_url = f"{base_url}/v1/appEncryptionDeclarations/{declaration.id}"
    app: dict[str, Any] = {"links": {"related": f"{self_url}/app"}}
    if include_app:
        app["data"] = {"type": "apps", "id": declaration.app_id}
    return {
        "type": "appEncryptionDeclarations",
        "id": declaration.id,
        "attributes": {
            "appDescription": "Uses only the encryption the operating system provides.",
            "createdDate": format_apple_datetime(declaration.created_at),
            "exempt": True,
            "containsProprietaryCryptography": False,
            "containsThirdPartyCryptography": False,
            "availableOnFrenchStore": True,
            "appEncryptionDeclarationState": declaration.state,
            "codeValue": declaration.id[:8].upper(),
        },
        "relationships": {"app": app},
        "links": {"self": self_url},
    }
