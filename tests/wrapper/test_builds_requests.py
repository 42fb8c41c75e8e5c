"""What each build method sends, what it returns, and the input refused before sending."""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib import metadata
from typing import Any

import httpx
import pytest
from asc_builds import (
    ApiKey,
    APIStatusError,
    AppStoreConnect,
    AsyncAppStoreConnect,
    ConflictError,
    InvalidInputError,
    ResponseValidationError,
    UnverifiedChangeError,
    __version__,
)
from asc_builds_generated.models import Build
from cryptography.hazmat.primitives.asymmetric import ec

from ._support import BUILD_ID, DECLARATION_ID, ScriptedServer, decode_token
from .conftest import ISSUER_ID, KEY_ID

MakeClient = Callable[..., AppStoreConnect]
MakeOk = Callable[..., httpx.Response]


def _body(attributes: dict[str, Any] | None = None, declaration: str | None = None) -> Any:
    data: dict[str, Any] = {"type": "builds", "id": BUILD_ID}
    if attributes is not None:
        data["attributes"] = attributes
    if declaration is not None:
        data["relationships"] = {
            "appEncryptionDeclaration": {
                "data": {"type": "appEncryptionDeclarations", "id": declaration}
            }
        }
    return {"data": data}


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda asc: asc.builds.expire(BUILD_ID), _body({"expired": True})),
        (
            lambda asc: asc.builds.set_uses_non_exempt_encryption(BUILD_ID, False),
            _body({"usesNonExemptEncryption": False}),
        ),
        (
            lambda asc: asc.builds.set_uses_non_exempt_encryption(BUILD_ID, True),
            _body({"usesNonExemptEncryption": True}),
        ),
        (
            # The declaration check's reads are tested in tests/jobs; here only the PATCH.
            lambda asc: asc.builds.assign_encryption_declaration(
                BUILD_ID, DECLARATION_ID, check_declaration=False
            ),
            _body(declaration=DECLARATION_ID),
        ),
        (
            lambda asc: asc.builds.update(
                BUILD_ID,
                expired=True,
                uses_non_exempt_encryption=False,
                encryption_declaration_id=DECLARATION_ID,
                check_declaration=False,
            ),
            _body({"expired": True, "usesNonExemptEncryption": False}, DECLARATION_ID),
        ),
    ],
    ids=["expire", "encryption-false", "encryption-true", "declaration", "update-all"],
)
def test_each_method_sends_exactly_its_body(
    make_client: MakeClient,
    build_ok: MakeOk,
    call: Callable[[AppStoreConnect], Build],
    expected: Any,
) -> None:
    server = ScriptedServer([build_ok()])
    call(make_client(server))
    (request,) = server.requests
    assert request.method == "PATCH"
    assert str(request.url) == f"https://api.appstoreconnect.apple.com/v1/builds/{BUILD_ID}"
    assert request.headers["content-type"] == "application/json"
    assert server.bodies() == [expected]


def test_update_sends_apples_example_request_and_returns_the_parsed_build(
    make_client: MakeClient,
    example_request: dict[str, Any],
    example_response: dict[str, Any],
    public_key: ec.EllipticCurvePublicKey,
) -> None:
    server = ScriptedServer([httpx.Response(200, json=example_response)])
    build = make_client(server).builds.update(
        BUILD_ID,
        uses_non_exempt_encryption=True,
        encryption_declaration_id=DECLARATION_ID,
        check_declaration=False,
    )
    assert server.bodies() == [example_request]
    header, claims = decode_token(server.tokens()[0], public_key)
    assert (header["kid"], claims["iss"]) == (KEY_ID, ISSUER_ID)

    assert isinstance(build, Build)
    assert build.id == BUILD_ID
    assert build.to_dict() == {**example_response["data"]}
    assert build.attributes and build.attributes.version == "153"
    # Fields Apple sends beyond the spec survive.
    assert build.attributes.additional_properties["qcState"] == "BETA_INTERNAL_TESTING"


@pytest.mark.parametrize(
    ("response", "why"),
    [
        (httpx.Response(200, json={"data": {"id": "x"}}), "not 'builds'"),
        (httpx.Response(200, text="<html>maintenance</html>"), "JSONDecodeError"),
        (httpx.Response(200, json=["not", "a", "document"]), "JSON list"),
        (httpx.Response(202, content=b""), "JSONDecodeError"),
        (
            httpx.Response(200, json={"data": {"id": BUILD_ID, "type": "builds", "attributes": 5}}),
            "not a BuildResponse",
        ),
    ],
    ids=["no-type", "html", "json-list", "empty-202", "not-a-build-response"],
)
def test_an_unreadable_2xx_is_an_unverified_change_not_a_failed_patch(
    make_client: MakeClient, response: httpx.Response, why: str
) -> None:
    response.headers["x-request-id"] = "R1"
    server = ScriptedServer([response])
    with pytest.raises(UnverifiedChangeError) as caught:
        make_client(server).builds.expire(BUILD_ID)
    error = caught.value
    assert isinstance(error, ResponseValidationError)
    assert not isinstance(error, APIStatusError)
    assert (error.build_id, error.status_code, error.request_id) == (
        BUILD_ID,
        response.status_code,
        "R1",
    )
    assert error.body == response.content.decode()
    message = str(error)
    assert "the change was applied" in message and BUILD_ID in message
    assert why in message and "[request id R1]" in message
    assert len(server.requests) == 1, "an applied change is not sent again"


def test_the_raw_body_kept_on_an_unverified_change_is_bounded(make_client: MakeClient) -> None:
    huge = {"data": {"id": BUILD_ID}, "padding": "x" * 1_000_000}
    server = ScriptedServer([httpx.Response(200, json=huge)])
    with pytest.raises(UnverifiedChangeError) as caught:
        make_client(server).builds.expire(BUILD_ID)
    assert caught.value.body is not None
    assert 0 < len(caught.value.body) <= 64 * 1024
    assert caught.value.body.startswith('{"data"')
    assert "padding" not in repr(caught.value)


def test_a_malformed_error_response_is_not_an_unverified_change(make_client: MakeClient) -> None:
    # The 409, then the re-read after it (is the build already expired?), which fails.
    server = ScriptedServer(
        [httpx.Response(409, text="<html>conflict</html>"), httpx.Response(404, text="gone")]
    )
    with pytest.raises(ConflictError) as caught:
        make_client(server, max_retries=0).builds.expire(BUILD_ID)
    assert not isinstance(caught.value, ResponseValidationError)
    assert caught.value.body == "<html>conflict</html>"


BAD_IDS = [
    ("", "empty"),
    (" ", "whitespace"),
    (f"{BUILD_ID} ", "whitespace"),
    ("abc\x00", "control character"),
    ("abc\x7f", "control character"),
    ("../apps", "'/'"),
    ("a\\b", "'\\\\'"),
    (".", "path segment"),
    ("..", "path segment"),
    ("1" * 129, "at most 128"),
]


@pytest.mark.parametrize(("bad_id", "message"), BAD_IDS)
def test_bad_build_ids_are_refused_before_sending(
    make_client: MakeClient, bad_id: str, message: str
) -> None:
    server = ScriptedServer([])
    with pytest.raises(InvalidInputError, match="build id") as caught:
        make_client(server).builds.expire(bad_id)
    assert message in str(caught.value)
    assert server.requests == []


@pytest.mark.parametrize(("bad_id", "message"), BAD_IDS)
def test_bad_declaration_ids_are_refused_before_sending(
    make_client: MakeClient, bad_id: str, message: str
) -> None:
    server = ScriptedServer([])
    with pytest.raises(ValueError, match="encryption declaration id"):
        make_client(server).builds.assign_encryption_declaration(BUILD_ID, bad_id)
    assert server.requests == []


def test_non_string_id_is_refused(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="must be a string"):
        make_client(ScriptedServer([])).builds.expire(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "nothing to update"),
        ({"expired": False}, "cannot un-expire"),
        ({"expired": "yes"}, "expired must be True or False"),
        ({"uses_non_exempt_encryption": 0}, "uses_non_exempt_encryption must be True or False"),
    ],
)
def test_bad_update_arguments_are_refused_before_sending(
    make_client: MakeClient, options: dict[str, Any], message: str
) -> None:
    server = ScriptedServer([])
    with pytest.raises(ValueError, match=message):
        make_client(server).builds.update(BUILD_ID, **options)
    assert server.requests == []


class TestClientConfiguration:
    def test_custom_base_url(self, make_client: MakeClient, build_ok: MakeOk) -> None:
        server = ScriptedServer([build_ok()])
        make_client(server, base_url="https://asc.example.test/").builds.expire(BUILD_ID)
        assert str(server.requests[0].url) == f"https://asc.example.test/v1/builds/{BUILD_ID}"

    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:8080", "http://localhost:1234", "http://[::1]:9000"]
    )
    def test_plain_http_allowed_to_loopback(self, api_key: ApiKey, url: str) -> None:
        with AppStoreConnect(api_key, base_url=url) as asc:
            assert asc.base_url == url

    @pytest.mark.parametrize(
        "url",
        [
            "http://api.appstoreconnect.apple.com",
            "http://10.0.0.1",
            "ftp://example.com",
            "api.appstoreconnect.apple.com",
            "https://user:pw@example.com",
            "https://example.com/?x=1",
        ],
    )
    def test_unsafe_base_urls_are_refused(self, api_key: ApiKey, url: str) -> None:
        with pytest.raises(ValueError, match="base_url"):
            AppStoreConnect(api_key, base_url=url)

    @pytest.mark.parametrize(
        "url", ["https://asc.example.test/v1", "https://asc.example.test/v1/", "http://[::1]:9/v2"]
    )
    def test_a_base_url_with_the_api_version_is_refused(self, api_key: ApiKey, url: str) -> None:
        # Operation paths start with /v1/: this base would send /v1/v1/builds/...
        with pytest.raises(InvalidInputError, match="ends with an API version") as caught:
            AppStoreConnect(api_key, base_url=url)
        assert url.rsplit("/v", 1)[0] + "'" in str(caught.value), "names the address to use"

    def test_a_base_url_with_another_path_prefix_is_kept(
        self, make_client: MakeClient, build_ok: MakeOk
    ) -> None:
        server = ScriptedServer([build_ok()])
        make_client(server, base_url="https://proxy.example.test/asc").builds.expire(BUILD_ID)
        assert server.requests[0].url.path == f"/asc/v1/builds/{BUILD_ID}"

    def test_every_request_names_the_sdk_in_its_user_agent(
        self, make_client: MakeClient, build_ok: MakeOk
    ) -> None:
        server = ScriptedServer([build_ok()])
        make_client(server).builds.expire(BUILD_ID)
        assert __version__ == metadata.version("asc-builds")
        assert server.requests[0].headers["user-agent"] == (
            f"asc-builds/{__version__} httpx/{httpx.__version__} python/{platform.python_version()}"
        )

    async def test_the_async_client_sends_the_same_user_agent(
        self, api_key: ApiKey, build_ok: MakeOk
    ) -> None:
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return build_ok()

        async with AsyncAppStoreConnect(api_key, transport=httpx.MockTransport(handler)) as asc:
            await asc.builds.expire(BUILD_ID)
        assert seen[0].headers["user-agent"].startswith(f"asc-builds/{__version__} httpx/")

    def test_enterprise_key_targets_the_enterprise_host(
        self, p256_pem: str, public_key: ec.EllipticCurvePublicKey, build_ok: MakeOk
    ) -> None:
        key = ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=p256_pem, enterprise=True)
        server = ScriptedServer([build_ok()])
        with AppStoreConnect(key, transport=server.transport()) as asc:
            asc.builds.expire(BUILD_ID)
        assert server.requests[0].url.host == "api.enterprise.developer.apple.com"
        _, claims = decode_token(
            server.tokens()[0], public_key, audience="apple-developer-enterprise-v1"
        )
        assert claims["aud"] == "apple-developer-enterprise-v1"

    def test_scope_reaches_the_token(
        self, make_client: MakeClient, build_ok: MakeOk, public_key: ec.EllipticCurvePublicKey
    ) -> None:
        scope = [f"PATCH /v1/builds/{BUILD_ID}"]
        server = ScriptedServer([build_ok()])
        make_client(server, scope=scope).builds.expire(BUILD_ID)
        _, claims = decode_token(server.tokens()[0], public_key)
        assert claims["scope"] == scope

    def test_default_timeout_is_explicit(self, make_client: MakeClient, build_ok: MakeOk) -> None:
        server = ScriptedServer([build_ok()])
        make_client(server).builds.expire(BUILD_ID)
        timeout = server.requests[0].extensions["timeout"]
        assert timeout == {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}

    def test_timeout_option(self, make_client: MakeClient, build_ok: MakeOk) -> None:
        server = ScriptedServer([build_ok()])
        make_client(server, timeout=5.0).builds.expire(BUILD_ID)
        assert server.requests[0].extensions["timeout"]["read"] == 5.0

    def test_caller_http_client_is_used_and_left_open(
        self, api_key: ApiKey, build_ok: MakeOk
    ) -> None:
        server = ScriptedServer([build_ok()])
        http = httpx.Client(transport=server.transport())
        with AppStoreConnect(api_key, http_client=http) as asc:
            asc.builds.expire(BUILD_ID)
        assert not http.is_closed
        assert len(server.requests) == 1
        http.close()

    def test_owned_http_client_is_closed(self, api_key: ApiKey) -> None:
        asc = AppStoreConnect(api_key, transport=ScriptedServer([]).transport())
        asc.close()
        assert asc._http.is_closed

    def test_transport_and_http_client_together_are_refused(self, api_key: ApiKey) -> None:
        with pytest.raises(ValueError, match="not both"):
            AppStoreConnect(
                api_key,
                transport=httpx.MockTransport(lambda request: httpx.Response(200)),
                http_client=httpx.Client(),
            )

    def test_key_must_be_an_api_key(self) -> None:
        with pytest.raises(TypeError, match="APIKey"):
            AppStoreConnect("not a key")  # type: ignore[arg-type]

    def test_rate_limit_is_exposed(self, make_client: MakeClient, build_ok: MakeOk) -> None:
        server = ScriptedServer(
            [build_ok({"X-Rate-Limit": "user-hour-lim:3600;user-hour-rem:3412;"}), build_ok()]
        )
        asc = make_client(server)
        assert asc.last_rate_limit is None
        asc.builds.expire(BUILD_ID)
        assert asc.last_rate_limit is not None
        assert (asc.last_rate_limit.limit, asc.last_rate_limit.remaining) == (3600, 3412)
        # A response without the header keeps the last budget seen.
        asc.builds.expire(BUILD_ID)
        assert asc.last_rate_limit.remaining == 3412
