"""How a job names a build: by its id, or by app and build number."""

from __future__ import annotations

import attrs

from .._exceptions import InvalidInputError

__all__ = ["Selector"]


@attrs.frozen
class Selector:
    """A build named by id, or by app (bundle id or app id) and build number, optionally
    within a marketing version."""

    build_id: str | None = None
    bundle_id: str | None = None
    app_id: str | None = None
    marketing_version: str | None = None
    build_number: str | None = None

    def __attrs_post_init__(self) -> None:
        by_criteria = (self.bundle_id, self.app_id, self.marketing_version, self.build_number)
        if self.build_id is not None:
            if any(value is not None for value in by_criteria):
                raise InvalidInputError(
                    "name the build by its id or by bundle id, marketing version and build "
                    "number, not both"
                )
            return
        if self.bundle_id is None and self.app_id is None:
            raise InvalidInputError("name the build by its id, or give a bundle id or app id")
        if self.build_number is None:
            raise InvalidInputError(
                "a build number (CFBundleVersion) is needed to name a build by its app"
            )

    def describe(self) -> str:
        if self.build_id is not None:
            return f"build {self.build_id}"
        app = self.bundle_id or f"app {self.app_id}"
        version = f" {self.marketing_version}" if self.marketing_version else ""
        return f"build {self.build_number} of {app}{version}"
