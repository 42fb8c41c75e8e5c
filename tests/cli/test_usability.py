"""What a new user trips over on the command line: each answered with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from asc_builds import __version__

from .conftest import Served, run_cli


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fake-server", "--port", "99999"], "expected from 0 to 65535, got 99999"),
        (["fake-server", "--port", "-1"], "expected from 0 to 65535, got -1"),
        (["--max-retries", "-1", "expire", "b1"], "expected 0 or more, got -1"),
        (["expire", "b1", "--concurrency", "0"], "expected from 1 to 64, got 0"),
        (["expire", "b1", "--concurrency", "100"], "expected from 1 to 64, got 100"),
        (["--dry-run", "expire", "b1", "--concurrency", "100"], "expected from 1 to 64"),
        (["expire", "b1", "--concurrency", "lots"], "expected a whole number from 1 to 64"),
    ],
)
def test_numbers_out_of_range_are_usage_errors(argv: list[str], message: str) -> None:
    result = run_cli(argv, environ={})
    assert result.status == 2
    assert message in result.err
    assert result.err.startswith("usage: asc-builds")
    assert "Traceback" not in result.err


def test_help_states_the_concurrency_limit() -> None:
    result = run_cli(["expire", "--help"], environ={})
    assert result.status == 0
    assert "1 to 64" in " ".join(result.out.split())


def test_help_names_codemagics_indirect_values() -> None:
    result = run_cli(["--help"], environ={})
    assert result.status == 0
    text = " ".join(result.out.split())
    assert (
        "APP_STORE_CONNECT_PRIVATE_KEY (each also as codemagic's @env:NAME or @file:PATH)" in text
    )


def test_version() -> None:
    result = run_cli(["--version"], environ={})
    assert result.status == 0
    assert result.out.startswith(f"asc-builds {__version__} (httpx ")


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--dry-run", "token"], "--dry-run does not apply to token"),
        (["--dry-run", "demo"], "--dry-run does not apply to demo"),
        (["--json", "demo"], "--json does not apply to demo"),
        (["--dry-run", "fake-server"], "--dry-run does not apply to fake-server"),
    ],
)
def test_options_a_command_cannot_honour_are_refused(
    served: Served, argv: list[str], option: str
) -> None:
    result = served.cli(*argv)
    assert result.status == 2
    assert option in result.err + result.out
    assert "eyJ" not in result.out, "no token was printed"
    assert served.fake.requests == ()


def test_a_garbage_key_file_is_named(tmp_path: Path) -> None:
    garbage = tmp_path / "AuthKey_ABCDEF1234.p8"
    garbage.write_text("nonsense that is not a key")
    result = run_cli(["--key-file", str(garbage), "--individual-key", "expire", "b1"], {})
    assert result.status == 2
    assert str(garbage) in result.err
    assert "private_key argument" not in result.err
    assert "nonsense" not in result.err


def test_a_key_file_without_an_issuer_needs_individual_key(served: Served) -> None:
    build = served.fake.add_build()
    key_path = served.environ["ASC_PRIVATE_KEY_PATH"]
    refused = served.cli("--key-file", key_path, "expire", build.id, environ={})
    assert refused.status == 2
    assert "--individual-key" in refused.err and "--issuer-id" in refused.err
    assert served.fake.requests == ()
    # The served key is a team key: used as an individual key, Apple's 401 names the cause.
    as_individual = served.cli(
        "--key-file", key_path, "--individual-key", "expire", build.id, environ={}
    )
    assert as_individual.status == 1
    assert "used as an individual key (no issuer id)" in as_individual.out


def test_an_individual_key_from_the_environment(served: Served) -> None:
    key = served.fake.add_throwaway_key(individual=True)
    build = served.fake.add_build()
    environ = {
        "ASC_KEY_ID": key.key_id,
        "ASC_PRIVATE_KEY": key.private_key_pem,
        "ASC_KEY_KIND": "individual",
    }
    assert served.cli("expire", build.id, environ=environ).status == 0
    assert served.fake.build(build.id).expired


def test_ids_from_stdin_and_from_a_file(served: Served, tmp_path: Path) -> None:
    builds = [served.fake.add_build() for _ in range(4)]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{builds[2].id}\n\n{builds[3].id}\n")
    result = served.cli(
        "expire", "-", "--ids-file", str(ids_file), stdin=f"{builds[0].id}\n {builds[1].id}\n"
    )
    assert result.status == 0, result.err
    assert result.out.splitlines()[-1] == "4 expired, 0 already expired, 0 failed"
    assert all(served.fake.build(b.id).expired for b in builds)
    assert "/v1/builds/-" not in [r.path for r in served.fake.requests]


def test_no_ids_on_stdin_is_a_usage_error(served: Served) -> None:
    result = served.cli("expire", "-", stdin="\n  \n")
    assert result.status == 2
    assert "no build ids given (none on stdin)" in result.err
    assert served.fake.requests == ()


def test_a_base_url_ending_in_v1_is_refused(served: Served) -> None:
    result = served.cli("--base-url", f"{served.base_url}/v1", "expire", "b1", base_url=False)
    assert result.status == 2
    assert "ends with an API version" in result.err
    assert f"'{served.base_url}'" in result.err
    assert served.fake.requests == ()


def test_a_usage_error_with_json_is_one_json_line() -> None:
    result = run_cli(["--json", "expire", "b1", "--concurrency", "99"], environ={})
    assert result.status == 2
    (line,) = result.lines()
    assert (line["kind"], line["command"], line["ok"]) == ("error", "expire", False)
    assert line["error"]["name"] == "UsageError"
    assert "from 1 to 64" in line["error"]["message"]
    assert result.err == ""
