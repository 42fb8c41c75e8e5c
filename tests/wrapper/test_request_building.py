"""Requests built on the hot path equal what httpx's public API builds from the same input.

ClientCore builds URLs from the base parsed once (asc_builds._request_url), using an httpx
private detail when a self-check allows it; these tests hold every request to httpx's own
result, with that detail in use and with it gone.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from asc_builds import (
    APIKey,
    AppStoreConnect,
    UnverifiedChangeError,
    _ids,
    _logging,
    _request_factory,
    _request_url,
)
from asc_builds._base_client import ClientCore
from asc_builds._body import ACCEPT_ENCODING
from asc_builds._ids import MAX_ID_LENGTH, validate_id
from asc_builds._request_url import RequestUrls
from asc_builds._version import USER_AGENT
from asc_builds.builds._update import build_update_request
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


def _httpx_own(
    http: httpx.Client | httpx.AsyncClient, core: ClientCore, operation: dict[str, Any]
) -> httpx.Request:
    """What the SDK built before: httpx parses the whole URL string and the timeout."""
    return http.build_request(
        method=operation["method"].upper(),
        url=core.base_url + operation["url"],
        json=operation.get("json"),
        headers={
            **operation.get("headers", {}),
            "User-Agent": USER_AGENT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
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
        # The answer is about BUILD_ID, not abc-1: only the bytes sent matter here.
        with contextlib.suppress(UnverifiedChangeError):
            client.builds.update("abc-1", uses_non_exempt_encryption=True)
        client.close()
        return [
            (str(r.url), [(k, v) for k, v in r.headers.raw if k != b"Authorization"], r.content)
            for r in server.requests
        ]

    assert sent(fast=True) == sent(fast=False)


# --- headers merged once per kind of request ------------------------------------------------


class CountingClient(httpx.Client):
    """An httpx client that counts its own build_request calls."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.built = 0

    def build_request(self, *args: Any, **kwargs: Any) -> httpx.Request:
        self.built += 1
        return super().build_request(*args, **kwargs)


def _get_operation(build_id: str) -> dict[str, Any]:
    return {"method": "get", "url": f"/v1/builds/{build_id}", "headers": {}}


def test_after_the_first_request_of_a_kind_httpx_merges_nothing(api_key: APIKey) -> None:
    core = _core(api_key, "https://example.com/prefix")
    with CountingClient(headers={"User-Agent": "test"}) as http:
        for build_id in ODD_IDS:
            ours = core.build_request(http, _operation(build_id))
            _assert_same_request(ours, _httpx_own(http, core, _operation(build_id)))
            _assert_same_request(
                core.build_request(http, _get_operation(build_id)),
                _httpx_own(http, core, _get_operation(build_id)),
            )
        # One build_request per kind learnt (PATCH with a body, GET without) and its
        # checks, then one per _httpx_own above: none for the SDK's own requests.
        own = 2 * len(ODD_IDS)
        learnt = http.built - own
        assert learnt <= 2 * 3, learnt


def test_a_request_with_a_longer_body_says_its_own_length(
    api_key: APIKey, http: httpx.Client
) -> None:
    core = _core(api_key, "https://example.com")
    short = builds_update_instance._get_kwargs(
        id=BUILD_ID, body=build_update_request(BUILD_ID, expired=True)
    )
    longer = _operation(BUILD_ID)
    for operation in (short, longer, short):
        request = core.build_request(http, operation)
        assert request.headers["Content-Length"] == str(len(request.read()))
        _assert_same_request(request, _httpx_own(http, core, operation))


def test_changing_the_clients_headers_is_seen_on_the_next_request(
    api_key: APIKey, http: httpx.Client
) -> None:
    core = _core(api_key, "https://example.com")
    operation = _operation(BUILD_ID)
    core.build_request(http, operation)
    core.build_request(http, operation)
    http.headers["X-Trace"] = "one"
    request = core.build_request(http, operation)
    assert request.headers["X-Trace"] == "one"
    _assert_same_request(request, _httpx_own(http, core, operation))
    del http.headers["X-Trace"]
    request = core.build_request(http, operation)
    assert "X-Trace" not in request.headers
    _assert_same_request(request, _httpx_own(http, core, operation))


@pytest.mark.parametrize("setting", ["cookies", "params"])
def test_a_client_with_cookies_or_default_params_gets_them_from_httpx(
    api_key: APIKey, setting: str
) -> None:
    core = _core(api_key, "https://example.com")
    options = {"cookies": {"session": "s1"}} if setting == "cookies" else {"params": {"p": "1"}}
    with CountingClient(**options) as http:
        for number in range(5):
            # A cookie jar changes between requests (a Set-Cookie); so may default params.
            if setting == "cookies":
                http.cookies.set("session", f"s{number}")
            else:
                http.params = httpx.QueryParams({"p": str(number)})
            request = core.build_request(http, _operation(BUILD_ID))
            _assert_same_request(request, _httpx_own(http, core, _operation(BUILD_ID)))
            if setting == "cookies":
                assert request.headers["Cookie"] == f"session=s{number}"
            else:
                assert request.url.params["p"] == str(number)
        assert http.built == 10  # each of the SDK's five, and each of the five compared with


def test_an_encoding_unlike_httpx_keeps_every_request_on_build_request(
    api_key: APIKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if an httpx release encoded JSON differently: the check must refuse the template.
    monkeypatch.setattr(_request_factory, "_ENCODER", json.JSONEncoder())
    core = _core(api_key, "https://example.com")
    with CountingClient() as http:
        for _ in range(3):
            request = core.build_request(http, _operation(BUILD_ID))
            _assert_same_request(request, _httpx_own(http, core, _operation(BUILD_ID)))
        before = http.built
        core.build_request(http, _operation(BUILD_ID))
        assert http.built == before + 1


def test_an_httpx_that_adds_a_header_of_its_own_per_request_keeps_build_request(
    api_key: APIKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if httpx's build_request started adding something per request (here, a counter):
    # a template would repeat the first value, so the check must refuse it.
    count = iter(range(1000))
    real = httpx.Client.build_request

    def numbered(self: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Request:
        request = real(self, *args, **kwargs)
        request.headers["X-Count"] = str(next(count))
        return request

    monkeypatch.setattr(httpx.Client, "build_request", numbered)
    core = _core(api_key, "https://example.com")
    with httpx.Client() as http:
        values = {
            core.build_request(http, _operation(BUILD_ID)).headers["X-Count"] for _ in range(3)
        }
    assert len(values) == 3


def test_the_kinds_a_client_learns_are_bounded(api_key: APIKey, http: httpx.Client) -> None:
    core = _core(api_key, "https://example.com")
    operation = _operation(BUILD_ID)
    for number in range(_request_factory._MAX_KINDS + 10):
        http.headers["X-Trace"] = str(number)
        request = core.build_request(http, operation)
        _assert_same_request(request, _httpx_own(http, core, operation))
    assert len(core.requests._templates) == _request_factory._MAX_KINDS


async def test_the_async_client_gets_the_same_requests(api_key: APIKey) -> None:
    core = _core(api_key, "https://example.com/p")
    async with httpx.AsyncClient(headers={"User-Agent": "test"}) as http:
        for build_id in ODD_IDS:
            operation = _operation(build_id)
            _assert_same_request(
                core.build_request(http, operation), _httpx_own(http, core, operation)
            )


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
