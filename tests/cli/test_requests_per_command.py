"""Requests and bytes per command, counted against the fake: a command that names a build
by app and numbers has just read it and sends nothing when the build already holds the
values; `list`, `get` and `wait` ask only for what they show or decide on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qs

import pytest
from asc_builds.cli._reads import table_row
from asc_builds.cli._throwaway_credentials import throwaway_key_environment
from asc_builds.testing import FakeAppStoreConnect
from asc_builds.testing._exchange import Outcome

from .conftest import CliResult, Served

BUNDLE_ID = "com.example.app"


class _ByteCountingFake(FakeAppStoreConnect):
    """The fake, counting the bytes of every response body it sends."""

    received = 0

    def handle(self, **request: Any) -> Outcome:
        outcome = super().handle(**request)
        if outcome.response is not None:
            self.received += len(outcome.response.body)
        return outcome


@pytest.fixture
def counted() -> Iterator[Served]:
    fake = _ByteCountingFake()
    key = fake.add_throwaway_key()
    with throwaway_key_environment(key) as environ, fake.serve() as base_url:
        yield Served(fake, key, base_url, environ)


def _sent(served: Served, before: int, method: str | None = None) -> int:
    return sum(1 for r in served.fake.requests[before:] if method in (None, r.method))


def _by_numbers(build_number: str) -> list[str]:
    return [
        "--bundle-id",
        BUNDLE_ID,
        "--marketing-version",
        "2.1.0",
        "--build-number",
        build_number,
    ]


def _ok(result: CliResult) -> CliResult:
    assert result.status == 0, result.err + result.out
    return result


def test_set_encryption_by_numbers_run_twice_sends_no_second_patch(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    build = served.fake.add_build(app_id=app.id, version="345", marketing_version="2.1.0")
    command = ["set-encryption", *_by_numbers("345"), "--uses-non-exempt-encryption", "false"]
    first = _ok(served.cli(*command))
    assert first.out.startswith("changed"), first.out
    assert served.fake.build(build.id).uses_non_exempt_encryption is False
    before = len(served.fake.requests)
    second = _ok(served.cli(*command))
    assert second.out.startswith("already"), second.out
    assert "0 changed, 1 already as asked" in second.out
    assert _sent(served, before, "PATCH") == 0
    # The app's lookup and the find: the build was just read, nothing more.
    assert _sent(served, before) == 2


def test_assign_declaration_by_numbers_already_held_reads_only_to_find_it(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    declaration = served.fake.add_encryption_declaration(app_id=app.id)
    served.fake.add_build(
        app_id=app.id,
        version="345",
        marketing_version="2.1.0",
        encryption_declaration_id=declaration.id,
    )
    result = _ok(served.cli("assign-declaration", declaration.id, *_by_numbers("345")))
    assert result.out.startswith("already"), result.out
    assert _sent(served, 0, "PATCH") == 0
    assert _sent(served, 0) == 2


def test_assign_declaration_by_numbers_reads_the_declaration_then_patches(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    declaration = served.fake.add_encryption_declaration(app_id=app.id)
    build = served.fake.add_build(app_id=app.id, version="345", marketing_version="2.1.0")
    result = _ok(served.cli("assign-declaration", declaration.id, *_by_numbers("345")))
    assert result.out.startswith("changed"), result.out
    assert served.fake.build(build.id).encryption_declaration_id == declaration.id
    # App, find (with the declaration), the declaration, the PATCH: the build is not re-read.
    assert [r.method for r in served.fake.requests] == ["GET", "GET", "GET", "PATCH"]


def test_wait_with_a_declaration_on_a_valid_build_costs_four_requests(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    declaration = served.fake.add_encryption_declaration(app_id=app.id)
    build = served.fake.add_build(app_id=app.id, version="345", marketing_version="2.1.0")
    result = _ok(served.cli("wait", *_by_numbers("345"), "--declaration", declaration.id))
    assert served.fake.build(build.id).encryption_declaration_id == declaration.id
    assert "changed" in result.out
    assert _sent(served, 0, "PATCH") == 1
    assert _sent(served, 0) <= 4


def test_wait_by_id_with_a_declaration_reads_the_build_once(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    declaration = served.fake.add_encryption_declaration(app_id=app.id)
    build = served.fake.add_build(app_id=app.id)
    _ok(served.cli("wait", build.id, "--declaration", declaration.id))
    assert served.fake.build(build.id).encryption_declaration_id == declaration.id
    # The poll (with its app and declaration), the declaration, the PATCH.
    assert [r.method for r in served.fake.requests] == ["GET", "GET", "PATCH"]


def test_wait_then_answer_already_answered_sends_nothing(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    served.fake.add_build(
        app_id=app.id, version="345", marketing_version="2.1.0", uses_non_exempt_encryption=True
    )
    command = ["wait", *_by_numbers("345"), "--uses-non-exempt-encryption", "true"]
    result = _ok(served.cli(*command))
    assert result.out.startswith("already"), result.out
    assert _sent(served, 0, "PATCH") == 0


def _queries(served: Served, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in served.fake.requests if r.path == path]


def test_wait_asks_only_for_what_it_shows_and_decides_on(served: Served) -> None:
    build = served.fake.add_build()
    result = _ok(served.cli("wait", build.id))
    assert "processingState=VALID" in result.out
    (query,) = _queries(served, f"/v1/builds/{build.id}")
    assert query["fields[builds]"] == ["version,expired,usesNonExemptEncryption,processingState"]
    assert "include" not in query


def test_list_of_2000_builds_receives_at_most_1200_bytes_a_build(counted: Served) -> None:
    app, _ = counted.fake.add_app_with_builds(BUNDLE_ID, builds=2000)
    with counted.fake.client() as asc:
        include = ("preReleaseVersion", "appEncryptionDeclaration")
        whole = [table_row(info) for info in asc.builds.list(app_id=app.id, include=include)]
    assert isinstance(counted.fake, _ByteCountingFake)
    counted.fake.received = 0
    before = len(counted.fake.requests)
    result = _ok(counted.cli("list", "--bundle-id", BUNDLE_ID))
    rows = result.out.splitlines()[1:]
    # The same columns, the same values, as read from the whole builds.
    assert rows == whole
    assert len(rows) == 2000
    per_build = counted.fake.received / 2000
    assert per_build <= 1200, per_build
    (query, *_) = _queries_after(counted, before, "/v1/builds")
    assert query["fields[preReleaseVersions]"] == ["version"]
    assert "fields[appEncryptionDeclarations]" in query


def _queries_after(served: Served, before: int, path: str) -> Sequence[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in served.fake.requests[before:] if r.path == path]


def test_json_list_and_get_still_carry_the_whole_build(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    build = served.fake.add_build(app_id=app.id, version="345", marketing_version="2.1.0")
    for command in (["list", "--bundle-id", BUNDLE_ID], ["get", build.id]):
        resource = _ok(served.cli("--json", *command)).lines()[0]["resource"]
        # An attribute no table column shows: scripts reading it keep working.
        assert resource["attributes"]["minOsVersion"] == "17.0"
    assert not any("fields[builds]" in r.query for r in served.fake.requests)


def test_get_by_numbers_reads_once_with_the_table_fields(served: Served) -> None:
    app = served.fake.add_app(bundle_id=BUNDLE_ID)
    build = served.fake.add_build(app_id=app.id, version="345", marketing_version="2.1.0")
    result = _ok(served.cli("get", *_by_numbers("345")))
    assert build.id in result.out and "2.1.0" in result.out
    # The app's lookup and one listing: the build found is not read again.
    assert _sent(served, 0) == 2
    (query,) = _queries(served, "/v1/builds")
    assert "usesNonExemptEncryption" in query["fields[builds]"][0]


def test_expire_of_1000_ids_reads_before_it_writes_as_the_library_does(served: Served) -> None:
    fresh = [served.fake.add_build().id for _ in range(500)]
    expired = [served.fake.add_build(expired=True).id for _ in range(500)]
    before = len(served.fake.requests)
    _ok(served.cli("expire", "-", stdin="\n".join(fresh + expired)))
    assert _sent(served, before) <= 515, "500 expired and 500 not"
    assert _sent(served, before, "PATCH") == 500
    before = len(served.fake.requests)
    _ok(served.cli("expire", "-", stdin="\n".join(fresh + expired)))
    assert _sent(served, before) <= 15, "re-run: every build already expired"
    assert _sent(served, before, "PATCH") == 0
    others = [served.fake.add_build().id for _ in range(1000)]
    before = len(served.fake.requests)
    result = _ok(served.cli("--json", "expire", "-", stdin="\n".join(others)))
    assert _sent(served, before) <= 1015, "a first run: a PATCH each, a read per 100"
    assert result.out.count('"kind": "resource"') == 1000
