"""Every command end to end against the fake App Store Connect over HTTP on loopback."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import jwt
import pytest
from asc_builds.cli import run
from asc_builds.testing import RateLimited

from .conftest import Served, run_cli


def test_set_encryption_changes_the_build(served: Served) -> None:
    build = served.fake.add_build()
    result = served.cli("set-encryption", build.id, "--uses-non-exempt-encryption", "false")
    assert result.status == 0, result.err
    assert served.fake.build(build.id).uses_non_exempt_encryption is False
    assert "usesNonExemptEncryption=False" in result.out
    (request,) = served.fake.requests
    assert request.json["data"]["attributes"] == {"usesNonExemptEncryption": False}


def test_assign_declaration_sends_the_relationship(served: Served) -> None:
    build = served.fake.add_build()
    declaration = served.fake.add_encryption_declaration()
    result = served.cli("--json", "assign-declaration", build.id, declaration.id)
    assert result.status == 0, result.err
    line, summary = result.lines()
    assert (line["kind"], line["id"], line["resource"]["id"]) == ("resource", build.id, build.id)
    assert (summary["summary"]["changed"], summary["summary"]["already"]) == (1, 0)
    # The declaration and the build's app are read first (the check), then one PATCH.
    *checks, request = served.fake.requests
    assert [check.method for check in checks] == ["GET", "GET"]
    relationship = request.json["data"]["relationships"]["appEncryptionDeclaration"]["data"]
    assert relationship == {"type": "appEncryptionDeclarations", "id": declaration.id}
    assert served.fake.build(build.id).encryption_declaration_id == declaration.id


def test_update_sends_one_request_with_everything_given(served: Served) -> None:
    build = served.fake.add_build()
    declaration = served.fake.add_encryption_declaration()
    result = served.cli(
        "update",
        build.id,
        "--expire",
        "--uses-non-exempt-encryption",
        "true",
        "--declaration",
        declaration.id,
    )
    assert result.status == 0, result.err
    (request,) = [request for request in served.fake.requests if request.method == "PATCH"]
    assert request.path == f"/v1/builds/{build.id}"
    assert request.json["data"]["attributes"] == {"expired": True, "usesNonExemptEncryption": True}
    stored = served.fake.build(build.id)
    assert stored.expired and stored.uses_non_exempt_encryption is True
    assert stored.encryption_declaration_id == declaration.id


def test_update_with_nothing_to_change_sends_nothing(served: Served) -> None:
    build = served.fake.add_build()
    result = served.cli("update", build.id)
    assert result.status == 2
    assert "nothing to update" in result.err
    # The command line's own flags, not the Python argument names.
    for flag in ("--expire", "--uses-non-exempt-encryption", "--declaration"):
        assert flag in result.err
    assert "uses_non_exempt_encryption" not in result.err
    assert served.fake.requests == ()


@pytest.mark.parametrize("bad_id", ["../builds", "a/b", " ", "x" * 300, "id\nwith-newline"])
def test_a_bad_id_is_refused_before_sending(served: Served, bad_id: str) -> None:
    result = served.cli("expire", bad_id)
    assert result.status == 2
    assert "build id" in (result.err + result.out)
    assert "Traceback" not in result.err
    assert served.fake.requests == ()


def test_expire_batch_reports_each_id_and_fails_for_the_bad_one(served: Served) -> None:
    builds = [served.fake.add_build() for _ in range(3)]
    missing = "11111111-2222-3333-4444-555555555555"
    result = served.cli(
        "expire", builds[0].id, missing, builds[1].id, builds[2].id, "--concurrency", "2"
    )
    assert result.status == 1
    *lines, summary = result.out.splitlines()
    # One line per build, in the order they finished.
    assert sorted(line.split(":")[0] for line in lines) == sorted(
        [*(f"changed {b.id}" for b in builds), f"FAILED  {missing}"]
    )
    (failed,) = [line for line in lines if line.startswith("FAILED")]
    # The batch's read did not return it: it fails naming it, and no PATCH is sent for it.
    assert failed == f"FAILED  {missing}: no build matches build_id='{missing}'"
    assert summary == "3 expired, 0 already expired, 1 failed"
    assert all(served.fake.build(b.id).expired for b in builds)
    patched = [r.path for r in served.fake.requests if r.method == "PATCH"]
    assert sorted(patched) == sorted(f"/v1/builds/{b.id}" for b in builds)


def test_expire_batch_as_json(served: Served) -> None:
    build = served.fake.add_build()
    missing = "11111111-2222-3333-4444-555555555555"
    result = served.cli("--json", "expire", build.id, missing, "--concurrency", "1")
    assert result.status == 1
    # In the order they finished: the missing build is known from the batch's read.
    second, first, summary = result.lines()
    assert (first["kind"], first["ok"], first["id"]) == ("resource", True, build.id)
    assert first["resource"]["attributes"]["expired"] is True
    assert second == {
        "kind": "error",
        "command": "expire",
        "ok": False,
        "id": missing,
        "error": {
            **second["error"],
            "name": "BuildNotFoundError",
            "message": f"no build matches build_id='{missing}'",
        },
    }
    # Nothing was sent for it, so there is no Apple error entry or request id of its own.
    assert second["error"]["errors"] == [] and second["error"]["request_id"] is None
    assert summary["summary"] == {
        "total": 2,
        "succeeded": 1,
        "failed": 1,
        "changed": 1,
        "already": 0,
        "not_attempted": 0,
    }
    assert (summary["kind"], summary["ok"]) == ("summary", False)


def test_an_api_error_prints_apples_code_and_detail(served: Served) -> None:
    build = served.fake.add_build(expired=True)
    result = served.cli("update", build.id, "--uses-non-exempt-encryption", "false")
    assert result.status == 1
    assert result.err.startswith("asc-builds: error: 409 ")
    assert "Traceback" not in result.err


def test_retries_absorb_rate_limits_and_log_them(served: Served) -> None:
    build = served.fake.add_build()
    served.fake.inject(RateLimited(retry_after=0), times=2)
    result = served.cli("-v", "expire", build.id)
    assert result.status == 0, result.err
    # The batch's read meets the two 429s, then it and the PATCH succeed.
    assert [(r.method, r.status) for r in served.fake.requests] == [
        ("GET", 429),
        ("GET", 429),
        ("GET", 200),
        ("PATCH", 200),
    ]
    assert result.err.count("retry") >= 2


def test_retries_can_be_turned_off(served: Served) -> None:
    build = served.fake.add_build()
    served.fake.inject(RateLimited(retry_after=0), times=1)
    result = served.cli(
        "--max-retries", "0", "set-encryption", build.id, "--uses-non-exempt-encryption", "true"
    )
    assert result.status == 1
    assert "429" in result.err
    assert len(served.fake.requests) == 1


def test_dry_run_prints_the_request_and_sends_nothing(served: Served) -> None:
    build = served.fake.add_build()
    result = served.cli(
        "--json", "--dry-run", "set-encryption", build.id, "--uses-non-exempt-encryption", "true"
    )
    assert result.status == 0, result.err
    (line,) = result.lines()
    assert (line["kind"], line["id"]) == ("request", build.id)
    printed = line["request"]
    assert printed["method"] == "PATCH"
    assert printed["url"] == f"{served.base_url}/v1/builds/{build.id}"
    assert printed["headers"]["authorization"] == "<redacted>"
    assert printed["headers"]["content-type"] == "application/json"
    assert printed["body"] == {
        "data": {"type": "builds", "id": build.id, "attributes": {"usesNonExemptEncryption": True}}
    }
    assert served.fake.requests == ()


def test_dry_run_of_a_batch_describes_each_request(served: Served) -> None:
    result = served.cli("--json", "--dry-run", "expire", "b1", "b2")
    assert result.status == 0, result.err
    assert [line["request"]["url"].rsplit("/", 1)[-1] for line in result.lines()] == ["b1", "b2"]
    text = served.cli("--dry-run", "expire", "b1", "b2")
    assert text.out.splitlines()[0] == f"PATCH {served.base_url}/v1/builds/b1"
    assert "authorization: <redacted>" in text.out
    assert '"expired": true' in text.out
    assert served.fake.requests == ()


def test_a_dry_run_batch_with_a_bad_id_describes_nothing(served: Served) -> None:
    result = served.cli("--dry-run", "expire", "b1", "a/b")
    assert result.status == 2
    assert result.out == ""
    assert "build id 'a/b'" in result.err


def test_token_is_a_valid_jwt_with_the_requested_scope(served: Served) -> None:
    result = served.cli("token", "--scope", "PATCH /v1/builds/abc", base_url=False)
    assert result.status == 0, result.err
    token = result.out.strip()
    claims = jwt.decode(
        token, served.key.public_key_pem, algorithms=["ES256"], audience="appstoreconnect-v1"
    )
    assert claims["iss"] == served.key.issuer_id
    assert claims["scope"] == ["PATCH /v1/builds/abc"]
    assert jwt.get_unverified_header(token)["kid"] == served.key.key_id


def test_a_p8_key_file_named_by_apple_needs_no_key_id(served: Served) -> None:
    build = served.fake.add_build()
    key_path = served.environ["ASC_PRIVATE_KEY_PATH"]
    result = served.cli(
        "--key-file",
        key_path,
        "--issuer-id",
        served.environ["ASC_ISSUER_ID"],
        "expire",
        build.id,
        environ={},
    )
    assert result.status == 0, result.err
    assert served.fake.build(build.id).expired


def test_a_fastlane_key_file(served: Served, tmp_path: Path) -> None:
    build = served.fake.add_build()
    key_file = tmp_path / "fastlane.json"
    key_file.write_text(
        json.dumps(
            {
                "key_id": served.key.key_id,
                "issuer_id": served.key.issuer_id,
                "key": served.key.private_key_pem,
            }
        )
    )
    result = served.cli("--key-file", str(key_file), "expire", build.id, environ={})
    assert result.status == 0, result.err


def test_missing_credentials_say_how_to_fix_it() -> None:
    result = run_cli(["expire", "b1"], environ={})
    assert result.status == 2
    assert "ASC_KEY_ID" in result.err
    assert "Traceback" not in result.err


def test_a_key_file_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli(
        ["--key-file", str(tmp_path / "AuthKey_ABC123DEFG.p8"), "expire", "b1"], environ={}
    )
    assert result.status == 2
    assert "AuthKey_ABC123DEFG.p8" in result.err
    assert "Traceback" not in result.err


def test_usage_errors_exit_2() -> None:
    assert run_cli(["expire"], environ={}).status == 2
    assert (
        run_cli(
            ["set-encryption", "b1", "--uses-non-exempt-encryption", "maybe"], environ={}
        ).status
        == 2
    )
    assert run_cli(["no-such-command"], environ={}).status == 2


def test_http_base_urls_are_refused_unless_loopback(served: Served) -> None:
    result = served.cli("--base-url", "http://example.com", "expire", "b1", base_url=False)
    assert result.status == 2
    assert served.fake.requests == ()


def test_no_secret_reaches_the_output(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="asc_builds")
    build = served.fake.add_build()
    served.fake.inject(RateLimited(retry_after=0), times=1)
    outputs = [
        served.cli("-vv", "expire", build.id, "missing-build"),
        served.cli("-vv", "--dry-run", "expire", build.id),
        served.cli(
            "-vv", "--json", "set-encryption", build.id, "--uses-non-exempt-encryption", "false"
        ),
        served.cli("doctor"),
    ]
    tokens = [r.headers.get("authorization", "") for r in served.fake.requests]
    secrets = [served.key.private_key_pem.strip().splitlines()[1], *[t for t in tokens if t]]
    assert len(secrets) > 1
    text = "".join(r.out + r.err for r in outputs) + caplog.text
    for secret in secrets:
        bare = secret.removeprefix("Bearer ")
        assert bare not in text


class _Recording(io.StringIO):
    """stdout that notes how many requests the fake had seen when each line was written."""

    def __init__(self, served: Served) -> None:
        super().__init__()
        self.served = served
        self.seen_at_write: list[int] = []

    def write(self, text: str) -> int:
        self.seen_at_write.append(len(self.served.fake.requests))
        return super().write(text)


@pytest.mark.parametrize("as_json", [False, True])
def test_a_piped_batch_prints_each_build_as_it_finishes(served: Served, as_json: bool) -> None:
    builds = [served.fake.add_build() for _ in range(6)]
    out, err = _Recording(served), io.StringIO()
    argv = ["--base-url", served.base_url, "expire", "--concurrency", "1", *(b.id for b in builds)]
    status = run(["--json", *argv] if as_json else argv, environ=served.environ, out=out, err=err)
    assert status == 0, err.getvalue()
    assert len(out.getvalue().splitlines()) == 7, "a line per build, then the summary"
    # The first line went out long before the last request: not held back to the end.
    assert out.seen_at_write[0] < len(builds)
    assert "\r" not in err.getvalue()
