"""Helpers shared by the fake's tests."""

from __future__ import annotations

from typing import Any, Protocol

from asc_builds.testing import ThrowawayKey

__all__ = ["APP_ID", "BUILD_ID", "DECLARATION_ID", "Signer", "bearer", "update_body"]

BUILD_ID = "932eff64-a144-4350-8d10-9e54d5834aee"
DECLARATION_ID = "51f19f70-ccd2-4ab9-986b-d7c38ee3e60c"
APP_ID = "6443000001"


class Signer(Protocol):
    def __call__(
        self,
        key: ThrowawayKey | None = None,
        *,
        claims: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        headers: dict[str, Any] | None = None,
        lifetime: int = 600,
        issued_offset: float = 0,
    ) -> str: ...


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def update_body(
    build_id: str = BUILD_ID,
    *,
    attributes: dict[str, Any] | None = None,
    declaration_id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "builds", "id": build_id}
    if attributes is not None:
        data["attributes"] = attributes
    if declaration_id is not None:
        data["relationships"] = {
            "appEncryptionDeclaration": {
                "data": {"type": "appEncryptionDeclarations", "id": declaration_id}
            }
        }
    return {"data": data}
