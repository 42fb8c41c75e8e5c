"""Requests built on the hot path equal what httpx's public API builds from the same input.

ClientCore builds URLs from the base parsed once (asc_builds._request_url), using an httpx
private detail when a self-check allows it; these tests hold every request to httpx's own
result, with that detail in use and with it gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from asc_builds import APIKey, AppStoreConnect, _ids, _logging, _request_url
from asc_builds._base_client import ClientCore
from asc_builds._builds import build_update_request
from asc_builds._ids import MAX_ID_LENGTH, validate_id
from asc_builds._request_url import RequestUrls
from asc_builds._version import USER_AGENT
from asc_builds_generated.api.builds import builds_update_instance

from ._support import BUILD_ID, ScriptedServer

BASE_URLS = [
    "https://api.appstoreconnect.apple.com",
    "https://api.enterprise.developer.apple.com/",
    "http://127.0.0.1:8080",
    "http://localhost:1/",
    "https://example.com/prefix",
    "https://example.com/pre%20fix/deeper/",
    "https://EXAMPLE.com:443/Mixed/Case",
    "http://[::1]:9000/a/b",
    "https://example.com/a./b~c/..d",
    "https://example.com/ü/x",
]
# Ids as the generated operation receives them (it percent-encodes them itself); most are
# refused by validate_id before they get here, which is why they are tried at this level.
ODD_IDS = [
    BUILD_ID,
    "12345",
    "a.b",
    ".",
    "..",
    "...",
    "a b",
    "a/b",
    "a%2Fb",
    "%",
    "%zz",
    "ü",
    "😀",
    "a?b#c",
    "~_-.",
    "a:b@c;d=e",
    "",
    "x" * 300,
]


def _core(api_key: APIKey, base_url: str, **options: Any) -> ClientCore:
    return ClientCore(
        api_key,
        base_url=base_url,
        timeout=options.get("timeout", 12.5),
        max_retries=2,
        scope=None,
        now=lambda: 1_750_000_000.0,
        random=lambda: 0.5,
    )


def _operation(build_id: str) -> dict[str, Any]:
    body = build_update_request(BUILD_ID, expired=True, uses_non_exempt_encryption=False)
    return builds_update_instance._get_kwargs(id=build_id, body=body)


def _httpx_own(http: httpx.Client, core: ClientCore, operation: dict[str, Any]) -> httpx.Request:
    """What the SDK built before: httpx parses the whole URL string and the timeout."""
    return http.build_request(
        method=operation["method"].upper(),
        url=core.base_url + operation["url"],
        json=operation.get("json"),
        headers={**operation.get("headers", {}), "User-Agent": USER_AGENT},
        timeout=core.timeout,
    )


def _assert_same_request(ours: httpx.Request, theirs: httpx.Request) -> None:
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert str(ours.url) == str(theirs.url)
    assert ours.url.raw_path == theirs.url.raw_path
    assert vars(ours.url) == vars(theirs.url)  # the whole parsed state, not only its text
    assert ours.headers.raw == theirs.headers.raw  # names, values and order
    assert ours.read() == theirs.read()
    assert ours.extensions == theirs.extensions


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(headers={"User-Agent": "test"}) as client:
        yield client


@pytest.mark.parametrize("base_url", BASE_URLS)
def test_requests_equal_httpx_own_for_odd_ids_and_bases(
    api_key: APIKey, http: httpx.Client, base_url: str
) -> None:
    core = _core(api_key, base_url)
    assert core.urls.fast, "the self-check refused the fast path for this httpx"
    for build_id in ODD_IDS:
        operation = _operation(build_id)
        _assert_same_request(core.build_request(http, operation), _httpx_own(http, core, operation))


@pytest.mark.parametrize("timeout", [12.5, httpx.Timeout(3.0, connect=1.0, pool=None)])
def test_the_timeout_extension_equals_httpx_own(
    api_key: APIKey, http: httpx.Client, timeout: float | httpx.Timeout
) -> None:
    core = _core(api_key, "https://example.com", timeout=timeout)
    operation = _operation(BUILD_ID)
    first = core.build_request(http, operation)
    _assert_same_request(first, _httpx_own(http, core, operation))
    # Each request has its own extensions: changing one leaves the next as it was.
    first.extensions["timeout"]["read"] = 0.001
    _assert_same_request(core.build_request(http, operation), _httpx_own(http, core, operation))


def test_an_ordinary_id_is_not_parsed_again_and_an_odd_one_is(
    api_key: APIKey, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = _core(api_key, "https://example.com/prefix")
    parsed: list[str] = []
    real_url = httpx.URL

    class CountingURL(real_url):  # type: ignore[misc, valid-type]
        def __init__(self, url: Any = "", **kwargs: Any) -> None:
            parsed.append(str(url))
            super().__init__(url, **kwargs)

    monkeypatch.setattr(httpx, "URL", CountingURL)
    core.urls.url(f"/v1/builds/{BUILD_ID}")
    assert parsed == []
    core.urls.url("/v1/builds/a%20b/../c")  # a dot segment: httpx must normalize it
    core.urls.url("/v1/builds/a:b")  # a character outside the plain set
    assert len(parsed) == 2


def test_without_the_private_detail_every_url_takes_the_public_path(
    api_key: APIKey, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if an httpx release renamed the parsed form.
    monkeypatch.setattr(_request_url, "_PRIVATE_FIELD", "_no_such_field")
    core = _core(api_key, "https://example.com/prefix")
    assert not core.urls.fast
    for build_id in ODD_IDS:
        operation = _operation(build_id)
        _assert_same_request(core.build_request(http, operation), _httpx_own(http, core, operation))


def test_a_url_that_grew_more_state_disables_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if an httpx release cached something on each URL: a URL made without running
    # __init__ would lack it, so the self-check must refuse.
    real_init = httpx.URL.__init__

    def init_with_cache(self: httpx.URL, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self._cache = {}  # type: ignore[attr-defined]

    monkeypatch.setattr(httpx.URL, "__init__", init_with_cache)
    urls = RequestUrls("https://example.com")
    assert not urls.fast
    assert vars(urls.url(f"/v1/builds/{BUILD_ID}"))["_cache"] == {}


def test_a_changed_parsed_form_disables_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if the parsed form stopped being a named tuple with a `path`.
    real_init = httpx.URL.__init__

    def init_with_plain_tuple(self: httpx.URL, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self._uri_reference = tuple(self._uri_reference)  # type: ignore[assignment]

    monkeypatch.setattr(httpx.URL, "__init__", init_with_plain_tuple)
    assert not RequestUrls("https://example.com").fast


def test_the_client_sends_the_same_bytes_either_way(
    api_key: APIKey, monkeypatch: pytest.MonkeyPatch, build_ok: Any
) -> None:
    def sent(fast: bool) -> list[tuple[str, list[tuple[bytes, bytes]], bytes]]:
        server = ScriptedServer([build_ok(), build_ok()])
        client = AppStoreConnect(
            api_key, base_url="https://example.com/p", transport=httpx.MockTransport(server)
        )
        client._core.urls.fast = fast
        client.builds.expire(BUILD_ID)
        client.builds.update("abc-1", uses_non_exempt_encryption=True)
        client.close()
        return [
            (str(r.url), [(k, v) for k, v in r.headers.raw if k != b"Authorization"], r.content)
            for r in server.requests
        ]

    assert sent(fast=True) == sent(fast=False)


# --- validate_id's fast path ---------------------------------------------------------------

IDS_TO_CHECK = [
    BUILD_ID,
    "1",
    "1234567890",
    "A_b-C",
    "-",
    "_",
    "x" * MAX_ID_LENGTH,
    "x" * (MAX_ID_LENGTH + 1),
    "",
    " ",
    "a b",
    "a\tb",
    "a\nb",
    f"{BUILD_ID}\n",
    "a\x00",
    "a\x7f",
    "a.b",
    ".",
    "..",
    "a/b",
    "a\\b",
    "ü",
    "é" * MAX_ID_LENGTH,
    "١٢٣",  # Arabic-Indic digits: not ASCII, so not the fast path
    "a\u2028b",
]


def _outcome(check: Any, value: object) -> str:
    try:
        return f"ok {check(value, what='build id')!r}"
    except ValueError as error:
        return f"ValueError {error}"


@pytest.mark.parametrize("value", [*IDS_TO_CHECK, 12, None, b"abc", ["a"]])
def test_validate_id_decides_exactly_as_the_full_rules(value: object) -> None:
    assert _outcome(validate_id, value) == _outcome(_ids._check_each_rule, value)


def test_a_str_subclass_takes_the_full_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    class Sneaky(str):
        pass

    calls: list[object] = []
    real = _ids._check_each_rule

    def recording(value: object, *, what: str) -> str:
        calls.append(value)
        return real(value, what=what)

    monkeypatch.setattr(_ids, "_check_each_rule", recording)
    validate_id(Sneaky("abc"), what="build id")
    validate_id("abc", what="build id")
    assert calls == ["abc"]


# --- the request id is looked up only for a log line ----------------------------------------


def test_the_request_id_is_read_only_when_debug_logging_is_on(
    api_key: APIKey,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    build_ok: Any,
) -> None:
    lookups: list[object] = []
    real = _logging.request_id  # type: ignore[attr-defined]

    def recording(headers: Any) -> str | None:
        lookups.append(headers)
        return real(headers)

    monkeypatch.setattr(_logging, "request_id", recording)
    server = ScriptedServer([build_ok({"x-request-id": "R-1"}), build_ok({"x-request-id": "R-2"})])
    client = AppStoreConnect(
        api_key, base_url="https://example.com", transport=httpx.MockTransport(server)
    )
    with caplog.at_level(logging.INFO, logger="asc_builds"):
        client.builds.expire(BUILD_ID)
    assert lookups == []
    with caplog.at_level(logging.DEBUG, logger="asc_builds"):
        client.builds.expire(BUILD_ID)
    assert len(lookups) == 1
    assert "request id R-2" in caplog.text
