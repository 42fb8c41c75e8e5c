"""`asc-builds get`, `asc-builds list` and the doctor's authenticated read, over real HTTP."""

from __future__ import annotations

from asc_builds.cli._throwaway_credentials import throwaway_key_environment
from asc_builds.testing import FakeAppStoreConnect, make_throwaway_key

from .conftest import Served, run_cli

BUNDLE_ID = "com.example.app"


def test_get_prints_a_table_row_with_both_version_numbers(served: Served) -> None:
    build = served.fake.add_build(version="345", marketing_version="2.1.0")
    result = served.cli("get", build.id)
    assert result.status == 0, result.err
    heading, row = result.out.splitlines()
    assert heading.split() == [
        "ID", "MARKETING", "BUILD", "UPLOADED", "STATE", "EXPIRED", "ENCRYPTION"
    ]  # fmt: skip
    assert row.split()[:3] == [build.id, "2.1.0", "345"]
    assert "VALID" in row and " no " in row and row.endswith("unanswered")
    (resource,) = served.cli("--json", "get", build.id).lines()
    assert resource["id"] == build.id and resource["resource"]["attributes"]["version"] == "345"
    (version,) = resource["included"]
    assert version["type"] == "preReleaseVersions"
    assert version["attributes"]["version"] == "2.1.0"
    linked = resource["resource"]["relationships"]["preReleaseVersion"]["data"]
    assert linked["id"] == version["id"]


def test_get_nests_the_declaration_in_the_builds_line(served: Served) -> None:
    declaration = served.fake.add_encryption_declaration()
    build = served.fake.add_build(
        uses_non_exempt_encryption=True, encryption_declaration_id=declaration.id
    )
    (line,) = served.cli("--json", "get", build.id).lines()
    types = [resource["type"] for resource in line["included"]]
    assert types == ["preReleaseVersions", "appEncryptionDeclarations"]
    assert line["included"][1]["id"] == declaration.id


def test_list_filters_by_bundle_id_and_versions(served: Served) -> None:
    _, builds = served.fake.add_app_with_builds(BUNDLE_ID, builds=230)
    result = served.cli(
        "list", "--bundle-id", BUNDLE_ID, "--marketing-version", "2.0", "--sort=-uploadedDate"
    )
    assert result.status == 0, result.err
    rows = result.out.splitlines()[1:]
    expected = [b for b in reversed(builds) if b.marketing_version == "2.0"]
    assert [row.split()[0] for row in rows] == [b.id for b in expected]
    assert result.err.strip() == f"{len(expected)} builds"
    encrypted = next(b for b in expected if b.uses_non_exempt_encryption)
    assert f"non-exempt ({encrypted.encryption_declaration_id})" in result.out


def test_list_as_json_and_with_a_limit(served: Served) -> None:
    app, builds = served.fake.add_app_with_builds(BUNDLE_ID, builds=30)
    result = served.cli("--json", "list", "--app-id", app.id, "--expired", "false")
    lines = result.lines()
    resources = [line for line in lines if line["kind"] == "resource"]
    # Exactly one line per build: `jq -r .id` yields build ids and nothing else.
    assert {line["resource"]["type"] for line in resources} == {"builds"}
    listed = [line["id"] for line in resources]
    assert listed == [b.id for b in builds if not b.expired]
    for line, build in zip(resources, [b for b in builds if not b.expired], strict=True):
        version = line["included"][0]
        assert version["type"] == "preReleaseVersions"
        assert version["attributes"]["version"] == build.marketing_version
    assert lines[-1]["kind"] == "summary" and lines[-1]["summary"]["total"] == len(listed)
    one = served.cli("--json", "list", "--app-id", app.id, "--build-number", "12").lines()
    assert [line["id"] for line in one if line["kind"] == "resource"][-1] == builds[11].id
    limited = served.cli("list", "--app-id", app.id, "--limit", "5", "--processing-state", "VALID")
    assert len(limited.out.splitlines()) == 6


def test_list_errors_are_clear(served: Served) -> None:
    served.fake.add_app(bundle_id=f"{BUNDLE_ID}.widget")
    missing = served.cli("list", "--bundle-id", BUNDLE_ID)
    assert missing.status == 1
    assert "no app with bundle id 'com.example.app'" in missing.err
    assert "com.example.app.widget" in missing.err
    assert (
        served.cli("list", "--bundle-id", "com.example.app", "--processing-state", "X").status == 2
    )
    empty = served.cli("list", "--bundle-id", "")
    assert empty.status == 2 and "bundle id is empty" in empty.err
    assert served.cli("list").status == 2, "a bundle id or an app id is required"


def test_doctor_proves_the_credentials_with_one_read(served: Served) -> None:
    result = served.cli("--json", "doctor")
    checks = {line["check"]["name"]: line["check"] for line in result.lines() if "check" in line}
    assert checks["credentials"]["status"] == "ok", checks
    reads = [r for r in served.fake.requests if r.path == "/v1/builds" and r.status == 200]
    assert len(reads) == 1 and "limit=1" in reads[0].query


def test_doctor_fails_for_a_key_app_store_connect_does_not_know() -> None:
    fake = FakeAppStoreConnect()
    unknown = make_throwaway_key()  # never registered with the fake
    with throwaway_key_environment(unknown) as environ, fake.serve() as base_url:
        result = run_cli(["--base-url", base_url, "doctor"], environ)
    assert result.status == 1
    line = next(line for line in result.out.splitlines() if "credentials:" in line)
    assert line.startswith("FAIL") and "refused the key (401)" in line
    assert unknown.key_id in line


def test_dry_run_get_prints_the_request(served: Served) -> None:
    (line,) = served.cli("--json", "--dry-run", "get", "b-1").lines()
    request = line["request"]
    assert request["method"] == "GET"
    assert request["url"].endswith(
        "/v1/builds/b-1?include=preReleaseVersion%2CappEncryptionDeclaration"
    )
    assert request["headers"]["authorization"] == "<redacted>"
