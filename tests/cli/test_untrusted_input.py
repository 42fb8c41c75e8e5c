"""Input the command line refuses before anything is sent, without repeating secrets."""

from __future__ import annotations

import io
import json

import pytest
from asc_builds.cli import run

from .conftest import Served


class BytesStdin(io.TextIOWrapper):
    """A text stdin over raw bytes, as a pipe gives: `.buffer` holds them undecoded."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")


@pytest.mark.parametrize("as_json", [False, True])
def test_credentials_in_a_base_url_are_never_repeated(served: Served, as_json: bool) -> None:
    for url in (
        "http://user:SECRET@10.0.0.1",
        "https://user:SECRET@example.test",
        "http://u:SECRET@[bad",
    ):
        argv = [*(["--json"] if as_json else []), "--base-url", url, "get", "b1"]
        result = served.cli(*argv, base_url=False)
        assert result.status == 2, result
        assert "SECRET" not in result.out + result.err
        assert "***" in result.out + result.err
    assert served.fake.requests == ()


@pytest.mark.parametrize(
    "argv",
    [
        [
            "expire",
            "--bundle-id",
            "com.example.app",
            "--older-than",
            "99999999d",
            "--keep-latest",
            "1",
        ],
        ["wait", "b1", "--timeout", "9999999999999999999999s"],
        ["wait", "b1", "--timeout", "1e400"],
    ],
)
def test_durations_out_of_range_are_usage_errors(served: Served, argv: list[str]) -> None:
    result = served.cli(*argv)
    assert result.status == 2, result
    assert "Traceback" not in result.err and "OverflowError" not in result.err
    assert served.fake.requests == ()


def test_undecodable_ids_on_stdin_are_a_usage_error_before_any_request(served: Served) -> None:
    build = served.fake.add_build()
    stdin = BytesStdin(build.id.encode() + b"\n\xff\xfe-not-utf-8\n")
    out, err = io.StringIO(), io.StringIO()
    environ = dict(served.environ)
    status = run(
        ["--base-url", served.base_url, "--json", "expire", "-"],
        environ=environ,
        out=out,
        err=err,
        stdin=stdin,
    )
    assert status == 2, err.getvalue()
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["kind"] == "error" and "not UTF-8" in line["error"]["message"]
    assert served.fake.requests == ()
