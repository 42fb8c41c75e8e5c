"""A private key in an unexpected form is never repeated by an error, anywhere.

Before, a key's base64 body given without PEM lines (quoted, base64url, with literal \\n
separators, with a stray trailing character, or cut short) was taken for a file path and
the error repeated it in full: `private key file '"MIGHAgEAMBMG..."' does not exist`, on
stdout with --json. Each form goes through the library and the command line (text and
--json, several commands and variables), and every channel is searched for any 20
characters in a row of the key.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator

import pytest
from asc_builds import ApiKey, ApiKeyError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .conftest import run_cli

RUN = 20


def _key_body() -> str:
    # A key whose base64 holds both '+' and '/', so that its base64url form differs.
    for _ in range(200):
        der = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        body = base64.b64encode(der).decode("ascii")
        if "+" in body and "/" in body:
            return body
    raise AssertionError("no key with both '+' and '/' in 200 tries")


BODY = _key_body()
URLSAFE = BODY.replace("+", "-").replace("/", "_")
FORMS = {
    "quoted": f'"{BODY}"',
    "single-quoted": f"'{BODY}'",
    "base64url": URLSAFE,
    "literal \\n": "\\n".join(BODY[i : i + 64] for i in range(0, len(BODY), 64)),
    "stray trailing character": BODY + "!",
    "short": BODY[:60],
}


def _runs(text: str) -> set[str]:
    return {text[i : i + RUN] for i in range(len(text) - RUN + 1)}


SECRETS = _runs(BODY) | _runs(URLSAFE)


def _leaks(text: str) -> list[str]:
    return sorted(run for run in SECRETS if run in text)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="asc_builds")
    yield caplog


def test_the_check_finds_a_run_of_the_key() -> None:
    assert _leaks(f"private key file {FORMS['quoted']!r} does not exist")
    assert not _leaks("private key file named by a value not shown")


@pytest.mark.parametrize("form", list(FORMS))
def test_the_library_never_repeats_key_material(form: str, logs: pytest.LogCaptureFixture) -> None:
    value = FORMS[form]
    texts: list[str] = []
    attempts: list[Callable[[], ApiKey]] = [
        lambda: ApiKey(key_id="K", issuer_id="I", private_key=value),
        lambda: ApiKey.from_env({"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY_PATH": value}),
        lambda: ApiKey.from_env({"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY": value}),
        lambda: ApiKey.from_env({"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY_B64": value}),
        lambda: ApiKey.from_env(
            {"APP_STORE_CONNECT_KEY_IDENTIFIER": "K", "APP_STORE_CONNECT_PRIVATE_KEY": value}
        ),
    ]
    for attempt in attempts:
        try:
            attempt()
        except ApiKeyError as caught:
            error: BaseException | None = caught
        else:
            # Read leniently: codemagic's variable may hold literal \n separators.
            continue
        while error is not None:
            texts += [str(error), repr(error), *map(repr, error.args)]
            error = error.__cause__ or error.__context__
    texts.append(logs.text)
    for text in texts:
        assert not _leaks(text), text
    # The error says what is wrong instead.
    assert any("characters" in text for text in texts)


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("form", list(FORMS))
def test_the_command_line_never_repeats_key_material(form: str, as_json: bool) -> None:
    value = FORMS[form]
    flags = ["--json"] if as_json else []
    closed = ["--base-url", "http://127.0.0.1:9"]
    runs = [
        (["expire", "B1"], {"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY_PATH": value}),
        (["expire", "B1"], {"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY": value}),
        (["expire", "B1"], {"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY_B64": value}),
        (
            ["expire", "B1"],
            {"APP_STORE_CONNECT_KEY_IDENTIFIER": "K", "APP_STORE_CONNECT_PRIVATE_KEY": value},
        ),
        (["--key-file", value, "expire", "B1"], {}),
        (["--key-file", value, "--key-id", "K", "token"], {}),
        (["doctor", *closed], {"ASC_KEY_ID": "K", "ASC_PRIVATE_KEY_PATH": value}),
        (["--key-file", value, "doctor", *closed], {}),
    ]
    for argv, environ in runs:
        result = run_cli([*flags, *argv], environ)
        assert result.status in (1, 2), (argv, result)
        assert not _leaks(result.out), (argv, result.out)
        assert not _leaks(result.err), (argv, result.err)
        assert "Traceback" not in result.err
