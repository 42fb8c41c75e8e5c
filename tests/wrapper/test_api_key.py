"""APIKey: every key source, every bad key kind, every environment convention."""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path

import pytest
from asc_builds import ApiKey, ApiKeyError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .conftest import ISSUER_ID, KEY_ID


def _same_key(key: ApiKey, expected: ec.EllipticCurvePrivateKey) -> bool:
    return key.private_key.private_numbers() == expected.private_numbers()


def _der(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class TestSources:
    def test_pem_text(self, p256_pem: str, p256_key: ec.EllipticCurvePrivateKey) -> None:
        key = ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=p256_pem)
        assert _same_key(key, p256_key)
        assert (key.key_id, key.issuer_id, key.is_individual) == (KEY_ID, ISSUER_ID, False)

    def test_p8_path_as_str_and_path(
        self, p8_file: Path, p256_key: ec.EllipticCurvePrivateKey
    ) -> None:
        assert _same_key(ApiKey(key_id=KEY_ID, issuer_id=None, private_key=str(p8_file)), p256_key)
        assert _same_key(ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p8_file), p256_key)

    def test_base64_of_pem(self, p256_b64: str, p256_key: ec.EllipticCurvePrivateKey) -> None:
        assert _same_key(ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_b64), p256_key)

    def test_base64_of_der(self, p256_key: ec.EllipticCurvePrivateKey) -> None:
        text = base64.b64encode(_der(p256_key)).decode("ascii")
        assert _same_key(ApiKey(key_id=KEY_ID, issuer_id=None, private_key=text), p256_key)

    def test_bytes_and_loaded_key(
        self, p256_pem: str, p256_key: ec.EllipticCurvePrivateKey
    ) -> None:
        from_bytes = ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_pem.encode())
        from_der = ApiKey(key_id=KEY_ID, issuer_id=None, private_key=_der(p256_key))
        from_object = ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_key)
        assert all(_same_key(key, p256_key) for key in (from_bytes, from_der, from_object))

    def test_individual_key_has_no_issuer(self, p256_pem: str) -> None:
        key = ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_pem)
        assert key.is_individual
        assert "individual" in repr(key)


class TestBadKeys:
    def _fails(self, source: object, *words: str) -> str:
        with pytest.raises(ApiKeyError) as caught:
            ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=source)  # type: ignore[arg-type]
        message = str(caught.value)
        for word in words:
            assert word in message
        # Raised from our check, not chained to a library traceback.
        assert caught.value.__cause__ is None
        assert caught.value.__context__ is None or caught.value.__suppress_context__
        return message

    def test_missing_file(self, tmp_path: Path) -> None:
        self._fails(str(tmp_path / "AuthKey_NOPE.p8"), "does not exist", ".p8")

    def test_directory(self, tmp_path: Path) -> None:
        self._fails(tmp_path, "is a directory")

    def test_unreadable_file(self, p8_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        # Simulated, because file modes do not stop root (CI runs as root).
        original = Path.read_bytes

        def refuse(path: Path) -> bytes:
            if path == p8_file:
                raise PermissionError(13, "Permission denied")
            return original(path)

        monkeypatch.setattr(Path, "read_bytes", refuse)
        self._fails(p8_file, "cannot be read", "Permission denied", "permissions")

    def test_rsa(self, rsa_pem: str) -> None:
        self._fails(rsa_pem, "RSA key", "P-256")

    def test_wrong_curve(self, p384_pem: str) -> None:
        self._fails(p384_pem, "secp384r1", "P-256")

    def test_passphrase_protected(self, encrypted_pem: str) -> None:
        self._fails(encrypted_pem, "passphrase-protected", "openssl")

    @pytest.mark.parametrize(
        "garbage",
        [
            "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n",
            b"\x00\x01\x02garbage",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
            "-----END PUBLIC KEY-----\n",
        ],
    )
    def test_garbage(self, garbage: str | bytes) -> None:
        self._fails(garbage, "not a PEM or DER private key")

    @pytest.mark.parametrize("as_path", [True, False])
    def test_a_garbage_file_is_named(self, tmp_path: Path, as_path: bool) -> None:
        garbage = tmp_path / "AuthKey_GARBAGE001.p8"
        garbage.write_text("not a key at all\n")
        message = self._fails(garbage if as_path else str(garbage), "not a PEM or DER")
        assert f"file {str(garbage)!r}" in message
        assert "argument" not in message
        assert "not a key at all" not in message, "the file's content is never echoed"

    def test_base64_of_garbage(self) -> None:
        self._fails(base64.b64encode(b"x" * 80).decode(), "not a PEM or DER private key")

    def test_empty(self) -> None:
        self._fails("   ", "is empty")

    def test_truncated_pem(self, p256_pem: str) -> None:
        self._fails(p256_pem[: len(p256_pem) // 2], "BEGIN/END")

    @pytest.mark.parametrize("key_id", ["", "  ", "ABC\n", None])
    def test_bad_key_id(self, p256_pem: str, key_id: str | None) -> None:
        with pytest.raises(ApiKeyError, match="key_id"):
            ApiKey(key_id=key_id, issuer_id=None, private_key=p256_pem)  # type: ignore[arg-type]

    @pytest.mark.parametrize("lifetime", [0, 59, 1201, 3600])
    def test_lifetime_outside_apples_window(self, p256_pem: str, lifetime: int) -> None:
        with pytest.raises(ValueError, match="20 minutes"):
            ApiKey(key_id=KEY_ID, issuer_id=None, private_key=p256_pem, token_lifetime=lifetime)


def test_repr_and_pickle_keep_the_key_private(p256_pem: str) -> None:
    key = ApiKey(key_id=KEY_ID, issuer_id=ISSUER_ID, private_key=p256_pem)
    body = "".join(p256_pem.splitlines()[1:-1])
    for text in (repr(key), str(key)):
        assert KEY_ID in text
        assert body[:20] not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


class TestEnvironment:
    def test_asc_path(self, p8_file: Path, p256_key: ec.EllipticCurvePrivateKey) -> None:
        key = ApiKey.from_env(
            {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER_ID, "ASC_PRIVATE_KEY_PATH": str(p8_file)}
        )
        assert (key.key_id, key.issuer_id) == (KEY_ID, ISSUER_ID)
        assert _same_key(key, p256_key)

    def test_asc_pem_text_with_escaped_newlines(
        self, p256_pem: str, p256_key: ec.EllipticCurvePrivateKey
    ) -> None:
        # CI secrets are often stored on one line with literal "\n".
        one_line = p256_pem.replace("\n", "\\n")
        key = ApiKey.from_env(
            {"ASC_KEY_ID": KEY_ID, "ASC_KEY_KIND": "individual", "ASC_PRIVATE_KEY": one_line}
        )
        assert _same_key(key, p256_key)
        assert key.is_individual

    def test_asc_base64(self, p256_b64: str, p256_key: ec.EllipticCurvePrivateKey) -> None:
        key = ApiKey.from_env(
            {"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER_ID, "ASC_PRIVATE_KEY_B64": p256_b64}
        )
        assert _same_key(key, p256_key)

    def test_asc_without_private_key(self) -> None:
        with pytest.raises(ApiKeyError, match="ASC_PRIVATE_KEY_PATH"):
            ApiKey.from_env({"ASC_KEY_ID": KEY_ID, "ASC_ISSUER_ID": ISSUER_ID})

    def test_asc_with_two_private_keys(self, p8_file: Path, p256_b64: str) -> None:
        with pytest.raises(ApiKeyError, match="only one of"):
            ApiKey.from_env(
                {
                    "ASC_KEY_ID": KEY_ID,
                    "ASC_PRIVATE_KEY_PATH": str(p8_file),
                    "ASC_PRIVATE_KEY_B64": p256_b64,
                }
            )

    def test_asc_private_key_not_pem(self, p256_b64: str) -> None:
        with pytest.raises(ApiKeyError, match="ASC_PRIVATE_KEY must hold PEM"):
            ApiKey.from_env({"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY": p256_b64})

    def test_asc_bad_base64(self) -> None:
        with pytest.raises(ApiKeyError, match="not valid base64"):
            ApiKey.from_env({"ASC_KEY_ID": KEY_ID, "ASC_PRIVATE_KEY_B64": "@@not base64@@"})

    def test_codemagic(self, p256_pem: str, p256_key: ec.EllipticCurvePrivateKey) -> None:
        key = ApiKey.from_env(
            {
                "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID,
                "APP_STORE_CONNECT_ISSUER_ID": ISSUER_ID,
                "APP_STORE_CONNECT_PRIVATE_KEY": p256_pem,
            }
        )
        assert (key.key_id, key.issuer_id) == (KEY_ID, ISSUER_ID)
        assert _same_key(key, p256_key)

    def test_codemagic_without_private_key(self) -> None:
        with pytest.raises(ApiKeyError, match="APP_STORE_CONNECT_PRIVATE_KEY"):
            ApiKey.from_env({"APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID})

    def test_fastlane_json(
        self, tmp_path: Path, p256_pem: str, p256_key: ec.EllipticCurvePrivateKey
    ) -> None:
        path = tmp_path / "api_key.json"
        path.write_text(
            json.dumps(
                {
                    "key_id": KEY_ID,
                    "issuer_id": ISSUER_ID,
                    "key": p256_pem,
                    "duration": 900,
                    "in_house": False,
                }
            )
        )
        key = ApiKey.from_env({"APP_STORE_CONNECT_API_KEY_PATH": str(path)})
        assert (key.key_id, key.issuer_id, key.token_lifetime, key.enterprise) == (
            KEY_ID,
            ISSUER_ID,
            900,
            False,
        )
        assert _same_key(key, p256_key)

    def test_fastlane_json_base64_in_house(
        self, tmp_path: Path, p256_b64: str, p256_key: ec.EllipticCurvePrivateKey
    ) -> None:
        path = tmp_path / "api_key.json"
        path.write_text(
            json.dumps(
                {"key_id": KEY_ID, "key": p256_b64, "is_key_content_base64": True, "in_house": True}
            )
        )
        key = ApiKey.from_fastlane_json(path)
        assert key.enterprise
        assert key.is_individual
        assert key.token_lifetime == 600
        assert _same_key(key, p256_key)

    def test_fastlane_duration_over_apples_limit(self, tmp_path: Path, p256_pem: str) -> None:
        path = tmp_path / "api_key.json"
        path.write_text(json.dumps({"key_id": KEY_ID, "key": p256_pem, "duration": 1800}))
        with pytest.raises(ValueError, match="20 minutes"):
            ApiKey.from_fastlane_json(path)

    @pytest.mark.parametrize(
        ("content", "message"),
        [("{not json", "not valid JSON"), ("[]", "JSON object"), ('{"key_id": "X"}', "lacks key")],
    )
    def test_fastlane_bad_file(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "api_key.json"
        path.write_text(content)
        with pytest.raises(ApiKeyError, match=message):
            ApiKey.from_fastlane_json(path)

    def test_fastlane_wins_over_asc(self, tmp_path: Path, p256_pem: str, p8_file: Path) -> None:
        path = tmp_path / "api_key.json"
        path.write_text(json.dumps({"key_id": "FASTLANE01", "key": p256_pem}))
        key = ApiKey.from_env(
            {
                "APP_STORE_CONNECT_API_KEY_PATH": str(path),
                "ASC_KEY_ID": KEY_ID,
                "ASC_PRIVATE_KEY_PATH": str(p8_file),
            }
        )
        assert key.key_id == "FASTLANE01"

    def test_nothing_set_names_every_convention(self) -> None:
        with pytest.raises(ApiKeyError) as caught:
            ApiKey.from_env({})
        for name in (
            "ASC_KEY_ID",
            "APP_STORE_CONNECT_KEY_IDENTIFIER",
            "APP_STORE_CONNECT_API_KEY_PATH",
        ):
            assert name in str(caught.value)

    def test_reads_os_environ_by_default(
        self, monkeypatch: pytest.MonkeyPatch, p8_file: Path
    ) -> None:
        for name in ("APP_STORE_CONNECT_API_KEY_PATH", "APP_STORE_CONNECT_KEY_IDENTIFIER"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ASC_KEY_ID", KEY_ID)
        monkeypatch.setenv("ASC_KEY_KIND", "individual")
        monkeypatch.setenv("ASC_PRIVATE_KEY_PATH", str(p8_file))
        for name in ("ASC_PRIVATE_KEY", "ASC_PRIVATE_KEY_B64", "ASC_ISSUER_ID"):
            monkeypatch.delenv(name, raising=False)
        assert ApiKey.from_env().key_id == KEY_ID


class TestIssuerIdIsExplicit:
    """An unset or empty issuer id is refused unless the key is declared individual."""

    @pytest.mark.parametrize("issuer", [None, "", "   "])
    @pytest.mark.parametrize(
        ("variables", "issuer_variable"),
        [
            ({"ASC_KEY_ID": KEY_ID}, "ASC_ISSUER_ID"),
            ({"APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID}, "APP_STORE_CONNECT_ISSUER_ID"),
        ],
    )
    def test_a_missing_issuer_id_is_refused(
        self, p256_pem: str, variables: dict[str, str], issuer_variable: str, issuer: str | None
    ) -> None:
        private = (
            "ASC_PRIVATE_KEY" if "ASC_KEY_ID" in variables else "APP_STORE_CONNECT_PRIVATE_KEY"
        )
        env = {**variables, private: p256_pem}
        if issuer is not None:
            env[issuer_variable] = issuer
        with pytest.raises(ApiKeyError) as caught:
            ApiKey.from_env(env)
        message = str(caught.value)
        assert f"{issuer_variable} is not set or empty" in message
        assert "ASC_KEY_KIND=individual" in message

    @pytest.mark.parametrize("kind", ["individual", "INDIVIDUAL", " individual "])
    def test_an_individual_key_is_asked_for_by_name(self, p256_pem: str, kind: str) -> None:
        key = ApiKey.from_env(
            {"ASC_KEY_ID": KEY_ID, "ASC_KEY_KIND": kind, "ASC_PRIVATE_KEY": p256_pem}
        )
        assert key.is_individual and key.issuer_id is None

    def test_individual_with_an_issuer_id_is_a_contradiction(self, p256_pem: str) -> None:
        env = {
            "ASC_KEY_ID": KEY_ID,
            "ASC_ISSUER_ID": ISSUER_ID,
            "ASC_KEY_KIND": "individual",
            "ASC_PRIVATE_KEY": p256_pem,
        }
        with pytest.raises(ApiKeyError, match="individual keys have no issuer id"):
            ApiKey.from_env(env)

    def test_team_kind_with_an_issuer_id(self, p256_pem: str) -> None:
        env = {
            "ASC_KEY_ID": KEY_ID,
            "ASC_ISSUER_ID": ISSUER_ID,
            "ASC_KEY_KIND": "team",
            "ASC_PRIVATE_KEY": p256_pem,
        }
        assert ApiKey.from_env(env).issuer_id == ISSUER_ID

    def test_an_unknown_kind_is_refused(self, p256_pem: str) -> None:
        env = {"ASC_KEY_ID": KEY_ID, "ASC_KEY_KIND": "personal", "ASC_PRIVATE_KEY": p256_pem}
        with pytest.raises(ApiKeyError, match="'team' or 'individual'"):
            ApiKey.from_env(env)


class TestCodemagicReferences:
    """codemagic's `@env:NAME` and `@file:PATH`, for each of its three variables."""

    def test_env_references(self, p256_pem: str, p256_key: ec.EllipticCurvePrivateKey) -> None:
        key = ApiKey.from_env(
            {
                "APP_STORE_CONNECT_KEY_IDENTIFIER": "@env:MY_KEY_ID",
                "APP_STORE_CONNECT_ISSUER_ID": "@env:MY_ISSUER",
                "APP_STORE_CONNECT_PRIVATE_KEY": "@env:MY_PRIVATE_KEY",
                "MY_KEY_ID": KEY_ID,
                "MY_ISSUER": ISSUER_ID,
                "MY_PRIVATE_KEY": p256_pem.replace("\n", "\\n"),
            }
        )
        assert (key.key_id, key.issuer_id) == (KEY_ID, ISSUER_ID)
        assert _same_key(key, p256_key)

    def test_file_references(
        self, tmp_path: Path, p8_file: Path, p256_key: ec.EllipticCurvePrivateKey
    ) -> None:
        (tmp_path / "key_id").write_text(f"{KEY_ID}\n")
        (tmp_path / "issuer").write_text(f"{ISSUER_ID}\n")
        key = ApiKey.from_env(
            {
                "APP_STORE_CONNECT_KEY_IDENTIFIER": f"@file:{tmp_path / 'key_id'}",
                "APP_STORE_CONNECT_ISSUER_ID": f"@file:{tmp_path / 'issuer'}",
                "APP_STORE_CONNECT_PRIVATE_KEY": f"@file:{p8_file}",
            }
        )
        assert (key.key_id, key.issuer_id) == (KEY_ID, ISSUER_ID)
        assert _same_key(key, p256_key)

    def test_a_missing_file_is_named(self, tmp_path: Path) -> None:
        missing = tmp_path / "AuthKey.p8"
        with pytest.raises(ApiKeyError, match="does not exist") as caught:
            ApiKey.from_env(
                {
                    "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID,
                    "APP_STORE_CONNECT_ISSUER_ID": ISSUER_ID,
                    "APP_STORE_CONNECT_PRIVATE_KEY": f"@file:{missing}",
                }
            )
        assert str(missing) in str(caught.value)

    def test_a_garbage_file_is_named_and_not_echoed(self, tmp_path: Path) -> None:
        garbage = tmp_path / "AuthKey.p8"
        garbage.write_text("SECRET-LOOKING-GARBAGE")
        with pytest.raises(ApiKeyError, match="not a PEM or DER") as caught:
            ApiKey.from_env(
                {
                    "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID,
                    "APP_STORE_CONNECT_ISSUER_ID": ISSUER_ID,
                    "APP_STORE_CONNECT_PRIVATE_KEY": f"@file:{garbage}",
                }
            )
        assert str(garbage) in str(caught.value)
        assert "SECRET-LOOKING-GARBAGE" not in str(caught.value)

    @pytest.mark.parametrize("target", ["UNSET_VARIABLE", ""])
    def test_a_reference_to_an_unset_variable_is_named(self, p256_pem: str, target: str) -> None:
        env = {
            "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID,
            "APP_STORE_CONNECT_ISSUER_ID": ISSUER_ID,
            "APP_STORE_CONNECT_PRIVATE_KEY": f"@env:{target}",
            "EMPTY": "",
        }
        with pytest.raises(ApiKeyError, match="APP_STORE_CONNECT_PRIVATE_KEY names the envir"):
            ApiKey.from_env(env)

    def test_plain_values_still_work(self, p256_pem: str) -> None:
        key = ApiKey.from_env(
            {
                "APP_STORE_CONNECT_KEY_IDENTIFIER": KEY_ID,
                "APP_STORE_CONNECT_ISSUER_ID": ISSUER_ID,
                "APP_STORE_CONNECT_PRIVATE_KEY": p256_pem,
            }
        )
        assert key.key_id == KEY_ID
