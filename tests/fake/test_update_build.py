"""State changes and every error status of PATCH /v1/builds/{id}, over the transport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asc_builds.testing import FakeAppStoreConnect, FakeBuild, ManualClock

from ._support import Signer

BodyFor = Callable[..., dict[str, Any]]


def codes(response: httpx.Response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def test_success_updates_state_and_answers_like_apple(
    client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild, body_for: BodyFor
) -> None:
    body = body_for(
        attributes={"usesNonExemptEncryption": True},
        declaration_id="51f19f70-ccd2-4ab9-986b-d7c38ee3e60c",
    )
    response = client.patch(f"/v1/builds/{build.id}", json=body)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["type"] == "builds" and data["id"] == build.id
    assert data["attributes"]["usesNonExemptEncryption"] is True
    assert data["attributes"]["version"] == "153"
    self_url = f"https://api.appstoreconnect.apple.com/v1/builds/{build.id}"
    assert data["links"]["self"] == self_url
    assert response.json()["links"]["self"] == self_url
    assert data["relationships"]["app"]["links"]["related"] == f"{self_url}/app"
    stored = fake.build(build.id)
    assert stored.uses_non_exempt_encryption is True
    assert stored.encryption_declaration_id == "51f19f70-ccd2-4ab9-986b-d7c38ee3e60c"
    assert stored.expired is False


def test_expire_then_unexpire_conflicts(
    client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild, body_for: BodyFor
) -> None:
    expired = client.patch(f"/v1/builds/{build.id}", json=body_for(attributes={"expired": True}))
    assert expired.status_code == 200
    assert expired.json()["data"]["attributes"]["expired"] is True
    assert fake.build(build.id).expired is True

    back = client.patch(f"/v1/builds/{build.id}", json=body_for(attributes={"expired": False}))
    assert back.status_code == 409
    (error,) = back.json()["errors"]
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    assert error["status"] == "409"
    assert error["source"] == {"pointer": "/data/attributes/expired"}
    assert fake.build(build.id).expired is True


def test_expiring_an_expired_build_again_conflicts(
    client: httpx.Client, fake: FakeAppStoreConnect, body_for: BodyFor
) -> None:
    gone = fake.add_build("gone", expired=True)
    response = client.patch("/v1/builds/gone", json=body_for(gone.id, attributes={"expired": True}))
    assert response.status_code == 409
    assert codes(response) == ["ENTITY_ERROR.ATTRIBUTE.INVALID"]


def test_null_attributes_change_nothing(
    client: httpx.Client, fake: FakeAppStoreConnect, body_for: BodyFor
) -> None:
    fake.add_build("b", uses_non_exempt_encryption=False)
    body = body_for("b", attributes={"expired": None, "usesNonExemptEncryption": None})
    assert client.patch("/v1/builds/b", json=body).status_code == 200
    assert fake.build("b").uses_non_exempt_encryption is False
    assert fake.build("b").expired is False


def test_malformed_json_is_400(client: httpx.Client, build: FakeBuild) -> None:
    for raw in (b"{", b"", b"\xff\xfe", b'{"data": NaN}'):
        response = client.patch(f"/v1/builds/{build.id}", content=raw)
        assert response.status_code == 400, raw
        assert codes(response) == ["PARAMETER_ERROR.INVALID"]


@pytest.mark.parametrize(
    ("body", "status", "code", "pointer"),
    [
        ({}, 422, "ENTITY_UNPROCESSABLE", "/data"),
        ([], 422, "ENTITY_UNPROCESSABLE", None),
        ({"data": {"type": "builds"}}, 422, "ENTITY_UNPROCESSABLE", "/data/id"),
        ({"data": {"id": "B"}, "meta": 1}, 422, "ENTITY_UNPROCESSABLE", "/data/type"),
        (
            {"data": {"type": "apps", "id": "B"}},
            409,
            "ENTITY_ERROR.ATTRIBUTE.INVALID",
            "/data/type",
        ),
        (
            {"data": {"type": "builds", "id": "B", "attributes": {"expired": "yes"}}},
            409,
            "ENTITY_ERROR.ATTRIBUTE.TYPE",
            "/data/attributes/expired",
        ),
        (
            {"data": {"type": "builds", "id": "B", "attributes": {"version": "2"}}},
            409,
            "ENTITY_ERROR.ATTRIBUTE.UNKNOWN",
            "/data/attributes/version",
        ),
        (
            {"data": {"type": "builds", "id": "B", "relationships": {"app": {}}}},
            409,
            "ENTITY_ERROR.RELATIONSHIP.UNKNOWN",
            "/data/relationships/app",
        ),
        (
            {
                "data": {
                    "type": "builds",
                    "id": "B",
                    "relationships": {
                        "appEncryptionDeclaration": {"data": {"type": "apps", "id": "D"}}
                    },
                }
            },
            409,
            "ENTITY_ERROR.RELATIONSHIP.INVALID",
            "/data/relationships/appEncryptionDeclaration/data/type",
        ),
    ],
)
def test_schema_violations(
    client: httpx.Client,
    fake: FakeAppStoreConnect,
    body: Any,
    status: int,
    code: str,
    pointer: str | None,
) -> None:
    fake.add_build("B")
    response = client.patch("/v1/builds/B", json=body)
    assert response.status_code == status
    errors = response.json()["errors"]
    assert code in [error["code"] for error in errors]
    matching = next(error for error in errors if error["code"] == code)
    assert matching.get("source", {}).get("pointer") == pointer
    assert fake.build("B").expired is False


def test_path_and_body_id_must_match(
    client: httpx.Client, build: FakeBuild, body_for: BodyFor
) -> None:
    response = client.patch(f"/v1/builds/{build.id}", json=body_for("other-id"))
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["code"] == "ENTITY_ERROR.ATTRIBUTE.INVALID"
    assert error["source"] == {"pointer": "/data/id"}


def test_unknown_build_is_404(client: httpx.Client, body_for: BodyFor) -> None:
    response = client.patch("/v1/builds/nope", json=body_for("nope"))
    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert error["code"] == "NOT_FOUND"
    assert "nope" in error["detail"]


def test_unknown_declaration_is_404(
    client: httpx.Client, fake: FakeAppStoreConnect, build: FakeBuild, body_for: BodyFor
) -> None:
    response = client.patch(f"/v1/builds/{build.id}", json=body_for(declaration_id="missing"))
    assert response.status_code == 404
    assert codes(response) == ["NOT_FOUND"]
    assert fake.build(build.id).encryption_declaration_id is None


@pytest.mark.parametrize(
    ("app_id", "state"),
    [("other-app", "APPROVED"), ("6443000001", "REJECTED"), ("6443000001", "EXPIRED")],
)
def test_declaration_in_wrong_app_or_state_conflicts(
    client: httpx.Client,
    fake: FakeAppStoreConnect,
    build: FakeBuild,
    body_for: BodyFor,
    app_id: str,
    state: str,
) -> None:
    fake.add_encryption_declaration("d2", app_id=app_id, state=state)
    response = client.patch(f"/v1/builds/{build.id}", json=body_for(declaration_id="d2"))
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["code"] == "ENTITY_ERROR.RELATIONSHIP.INVALID"
    assert error["source"] == {"pointer": "/data/relationships/appEncryptionDeclaration"}
    assert fake.build(build.id).encryption_declaration_id is None


def test_expired_build_rejects_other_changes(
    client: httpx.Client, fake: FakeAppStoreConnect, body_for: BodyFor
) -> None:
    fake.add_build("old", expired=True, app_id="6443000001")
    body = body_for(
        "old",
        attributes={"usesNonExemptEncryption": True},
        declaration_id="51f19f70-ccd2-4ab9-986b-d7c38ee3e60c",
    )
    response = client.patch("/v1/builds/old", json=body)
    assert response.status_code == 409
    assert set(codes(response)) == {
        "ENTITY_ERROR.ATTRIBUTE.INVALID",
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
    }
    assert fake.build("old").uses_non_exempt_encryption is None


def test_unknown_path_404_and_wrong_method_405(client: httpx.Client, build: FakeBuild) -> None:
    assert client.patch("/v1/apps/1", json={}).status_code == 404
    response = client.delete(f"/v1/builds/{build.id}")
    assert response.status_code == 405
    assert codes(response) == ["METHOD_NOT_ALLOWED"]


def test_every_response_has_apple_headers(client: httpx.Client, build: FakeBuild) -> None:
    first = client.patch(f"/v1/builds/{build.id}", content=b"{")
    second = client.patch(f"/v1/builds/{build.id}", content=b"{")
    assert first.headers["x-rate-limit"] == "user-hour-lim:3600;user-hour-rem:3599;"
    assert second.headers["x-rate-limit"] == "user-hour-lim:3600;user-hour-rem:3598;"
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert first.headers["content-type"] == "application/json"
    error_ids = {first.json()["errors"][0]["id"], second.json()["errors"][0]["id"]}
    assert len(error_ids) == 2


def test_hourly_budget_runs_out_then_resets(
    clock: ManualClock, sign: Signer, body_for: BodyFor
) -> None:
    fake = FakeAppStoreConnect(clock=clock.now, rate_limit_per_hour=2)
    key = fake.add_throwaway_key()
    fake.add_build("b")
    token = sign(key)
    with httpx.Client(
        transport=fake.transport(),
        base_url="https://api.appstoreconnect.apple.com",
        headers={"Authorization": f"Bearer {token}"},
    ) as http:
        statuses = [http.patch("/v1/builds/b", json=body_for("b")).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        clock.advance(3600)
        fresh = {"Authorization": f"Bearer {sign(key)}"}
        again = http.patch("/v1/builds/b", json=body_for("b"), headers=fresh)
        assert again.status_code == 200
        assert again.headers["x-rate-limit"] == "user-hour-lim:2;user-hour-rem:1;"
