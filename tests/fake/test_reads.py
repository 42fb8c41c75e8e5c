"""The fake's reads answer as App Store Connect does, and every answer validates against the
pinned slice (openapi-core, Apple's unpatched slice)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from asc_builds.testing import FakeAppStoreConnect
from openapi_core.testing import MockRequest, MockResponse

from .test_contract import HOST_URL, openapi

BUNDLE_ID = "com.example.app"


def get(client: httpx.Client, path: str, **params: str) -> httpx.Response:
    """GET with the query in Apple's encoding, validated against the slice both ways."""
    query = urlencode(params)
    response = client.get(path + (f"?{query}" if query else ""))
    token = client.headers["authorization"]
    request = MockRequest(HOST_URL, "GET", path, args=params, headers={"Authorization": token})
    openapi().validate_response(
        request,
        MockResponse(
            response.content,
            status_code=response.status_code,
            content_type=response.headers["content-type"],
        ),
    )
    if response.status_code == 200:
        openapi().validate_request(request)
    return response


def codes(response: httpx.Response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def test_a_build_reads_with_its_pre_release_version(
    client: httpx.Client, fake: FakeAppStoreConnect
) -> None:
    declaration = fake.add_encryption_declaration()
    build = fake.add_build(
        version="345",
        marketing_version="2.1.0",
        uses_non_exempt_encryption=True,
        encryption_declaration_id=declaration.id,
    )
    response = get(
        client,
        f"/v1/builds/{build.id}",
        include="preReleaseVersion,appEncryptionDeclaration,app",
    )
    assert response.status_code == 200
    document = response.json()
    data = document["data"]
    assert data["attributes"]["version"] == "345"
    linked = data["relationships"]["preReleaseVersion"]["data"]
    included = {(item["type"], item["id"]): item for item in document["included"]}
    version = included[("preReleaseVersions", linked["id"])]
    assert version["attributes"] == {"version": "2.1.0", "platform": "IOS"}
    assert ("appEncryptionDeclarations", declaration.id) in included
    assert ("apps", build.app_id) in included
    plain = get(client, f"/v1/builds/{build.id}").json()
    assert "included" not in plain
    assert "data" not in plain["data"]["relationships"]["preReleaseVersion"]


def test_an_unknown_build_is_404(client: httpx.Client) -> None:
    response = get(client, "/v1/builds/missing")
    assert response.status_code == 404 and codes(response) == ["NOT_FOUND"]


def test_collections_page_with_cursor_total_and_next(
    client: httpx.Client, fake: FakeAppStoreConnect
) -> None:
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=120)
    first = get(client, "/v1/builds", **{"filter[app]": app.id, "limit": "50"}).json()
    assert first["meta"]["paging"] == {"total": 120, "limit": 50}
    assert len(first["data"]) == 50
    seen = [item["id"] for item in first["data"]]
    next_url = first["links"]["next"]
    while next_url:
        assert next_url.startswith(HOST_URL + "/v1/builds?cursor=")
        page = client.get(next_url)
        assert page.status_code == 200
        seen += [item["id"] for item in page.json()["data"]]
        next_url = page.json()["links"].get("next")
    assert sorted(seen) == sorted(b.id for b in builds)
    default = get(client, "/v1/builds", **{"filter[app]": app.id}).json()
    assert len(default["data"]) == 50, "Apple's default page"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"filter[version]": "12"}, lambda b: b.version == "12"),
        ({"filter[preReleaseVersion.version]": "1.1"}, lambda b: b.marketing_version == "1.1"),
        ({"filter[expired]": "true"}, lambda b: b.expired),
        ({"filter[processingState]": "FAILED,PROCESSING"}, lambda b: b.processing_state != "VALID"),
    ],
)
def test_filters_select_as_apple_does(
    client: httpx.Client, fake: FakeAppStoreConnect, params: dict[str, str], expected: object
) -> None:
    # 400 builds six hours apart: the oldest are past their 90 days.
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=400)
    response = get(client, "/v1/builds", **{"filter[app]": app.id, "limit": "200"}, **params)
    ids = {item["id"] for item in response.json()["data"]}
    wanted = {b.id for b in builds if expected(b)}  # type: ignore[operator]
    assert wanted and ids == wanted


def test_sort_orders_by_upload_date_and_build_number(
    client: httpx.Client, fake: FakeAppStoreConnect
) -> None:
    app, _ = fake.add_app_with_builds(BUNDLE_ID, builds=12)
    newest = get(client, "/v1/builds", **{"filter[app]": app.id, "sort": "-uploadedDate"})
    assert [item["attributes"]["version"] for item in newest.json()["data"]] == [
        str(n) for n in range(12, 0, -1)
    ]
    numbers = get(client, "/v1/builds", **{"filter[app]": app.id, "sort": "version"})
    assert [item["attributes"]["version"] for item in numbers.json()["data"]][:3] == [
        "1",
        "2",
        "3",
    ], "build numbers compare as numbers: 10 after 9"


@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({"filter[processingState]": "DONE"}, "PARAMETER_ERROR.INVALID", "filter[processingState]"),
        ({"sort": "newest"}, "PARAMETER_ERROR.INVALID", "sort"),
        ({"limit": "201"}, "PARAMETER_ERROR.INVALID", "limit"),
        ({"filter[colour]": "red"}, "PARAMETER_ERROR.ILLEGAL", "filter[colour]"),
        ({"cursor": "not-a-cursor"}, "PARAMETER_ERROR.INVALID", "cursor"),
        ({"filter[betaGroups]": "g"}, "PARAMETER_ERROR.ILLEGAL", "filter[betaGroups]"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(
    client: httpx.Client, params: dict[str, str], code: str, parameter: str
) -> None:
    response = client.get("/v1/builds?" + urlencode(params))
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == code and error["source"] == {"parameter": parameter}


def test_apps_match_by_prefix_like_apple(client: httpx.Client, fake: FakeAppStoreConnect) -> None:
    app = fake.add_app(bundle_id=BUNDLE_ID)
    widget = fake.add_app(bundle_id=f"{BUNDLE_ID}.widget")
    fake.add_app(bundle_id="com.other.app")
    response = get(
        client, "/v1/apps", **{"filter[bundleId]": BUNDLE_ID, "fields[apps]": "bundleId"}
    )
    assert [(item["id"], item["attributes"]) for item in response.json()["data"]] == [
        (app.id, {"bundleId": BUNDLE_ID}),
        (widget.id, {"bundleId": f"{BUNDLE_ID}.widget"}),
    ]


def test_a_declaration_reads_with_its_state_and_app(
    client: httpx.Client, fake: FakeAppStoreConnect
) -> None:
    app = fake.add_app(bundle_id=BUNDLE_ID)
    declaration = fake.add_encryption_declaration(app_id=app.id, state="REJECTED")
    response = get(client, f"/v1/appEncryptionDeclarations/{declaration.id}", include="app")
    document = response.json()
    assert document["data"]["attributes"]["appEncryptionDeclarationState"] == "REJECTED"
    assert document["data"]["relationships"]["app"]["data"] == {"type": "apps", "id": app.id}
    assert document["included"][0]["attributes"]["bundleId"] == BUNDLE_ID
    missing = get(client, "/v1/appEncryptionDeclarations/nope")
    assert missing.status_code == 404


def test_reads_need_a_valid_token(fake: FakeAppStoreConnect) -> None:
    with httpx.Client(transport=fake.transport(), base_url=HOST_URL) as anonymous:
        response = anonymous.get("/v1/builds")
    assert response.status_code == 401


def test_seeding_an_app_with_many_builds_is_realistic(fake: FakeAppStoreConnect) -> None:
    app, builds = fake.add_app_with_builds(BUNDLE_ID, builds=400)
    assert [b.version for b in builds] == [str(n) for n in range(1, 401)]
    assert [b.uploaded_at for b in builds] == sorted(b.uploaded_at for b in builds)
    assert builds[-1].processing_state == "PROCESSING"
    assert {b.marketing_version for b in builds} == {"1.0", "1.1", "2.0", "2.1.0"}
    assert any(b.expired for b in builds) and not builds[-1].expired
    assert all(b.expired == (b.expires_at <= fake.now()) for b in builds)
    (declaration,) = fake.declarations_of(app.id)
    encrypted = [b for b in builds if b.uses_non_exempt_encryption]
    assert encrypted and all(b.encryption_declaration_id == declaration.id for b in encrypted)
    assert fake.builds_of(app.id) == builds
