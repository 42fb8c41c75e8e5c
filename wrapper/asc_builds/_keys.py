"""App Store Connect API keys: loading, validation, and the environment conventions in use.

A key is checked when it is constructed, so a wrong file fails at start-up with a message
naming the problem, not on the first request with a traceback from inside cryptography.
The loaded key object is kept, never the PEM text, and nothing here prints either.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ._exceptions import APIKeyError

__all__ = [
    "APPLE_MAX_TOKEN_LIFETIME",
    "DEFAULT_TOKEN_LIFETIME",
    "KEY_KIND_VARIABLE",
    "APIKey",
    "ApiKey",
    "PrivateKeySource",
    "load_private_key",
    "resolve_issuer_id",
]

# Apple rejects tokens whose `exp - iat` exceeds 20 minutes.
APPLE_MAX_TOKEN_LIFETIME = 20 * 60
DEFAULT_TOKEN_LIFETIME = 10 * 60
# Says whether an environment without an issuer id means an individual key: an unset or
# empty issuer id is far more often a missing CI secret than a deliberate choice.
KEY_KIND_VARIABLE = "ASC_KEY_KIND"
_KEY_KINDS = ("team", "individual")
# codemagic's CLI reads any of its values indirectly: `@env:NAME` or `@file:PATH`.
_CODEMAGIC_ENV_PREFIX = "@env:"
_CODEMAGIC_FILE_PREFIX = "@file:"

PrivateKeySource = str | bytes | os.PathLike[str] | ec.EllipticCurvePrivateKey

_PEM_MARKER = "-----BEGIN"
# Base64 of "-----BEGIN" and the DER prefix of a PKCS#8 EC key; long enough to not be a path.
_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/=\s]{64,}$")
_HOW_TO_GET_A_KEY = (
    "use the .p8 file downloaded from App Store Connect > Users and Access > Integrations"
)


def _describe_source(source: str | os.PathLike[str]) -> str:
    return f"file {os.fspath(source)!r}"


def _read_file(path: str | os.PathLike[str]) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise APIKeyError(
            f"private key {_describe_source(path)} does not exist; {_HOW_TO_GET_A_KEY}"
        ) from None
    except IsADirectoryError:
        raise APIKeyError(
            f"private key {_describe_source(path)} is a directory, not a .p8 file"
        ) from None
    except OSError as error:
        raise APIKeyError(
            f"private key {_describe_source(path)} cannot be read ({error.strerror}); "
            "check its permissions"
        ) from None


def _decode_base64(text: str, *, origin: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise APIKeyError(
            f"private key from {origin} is not valid base64; encode the .p8 file with "
            "`base64 < AuthKey_KEYID.p8`"
        ) from None


def _key_bytes(source: str | bytes | os.PathLike[str], *, origin: str) -> tuple[bytes, str]:
    """PEM or DER bytes from PEM text, base64 text, or a path to a .p8 file, and where
    they came from (the file, when it was one: that is what the user has to fix)."""
    if isinstance(source, bytes):
        return source, origin
    if isinstance(source, os.PathLike):
        return _read_file(source), _describe_source(source)
    text = source.strip()
    if not text:
        raise APIKeyError(f"private key from {origin} is empty; {_HOW_TO_GET_A_KEY}")
    if _PEM_MARKER in text:
        return text.encode("utf-8"), origin
    if _BASE64_TEXT.match(text) and not os.path.exists(text):
        return _decode_base64(text, origin=origin), origin
    return _read_file(text), _describe_source(text)


def load_private_key(
    source: PrivateKeySource, *, origin: str = "the private_key argument"
) -> ec.EllipticCurvePrivateKey:
    if isinstance(source, ec.EllipticCurvePrivateKey):
        loaded: object = source
    else:
        data, origin = _key_bytes(source, origin=origin)
        loader = (
            serialization.load_pem_private_key
            if data.lstrip().startswith(_PEM_MARKER.encode())
            else serialization.load_der_private_key
        )
        try:
            loaded = loader(data, password=None)
        except TypeError:
            # cryptography raises TypeError exactly when a password is needed.
            raise APIKeyError(
                f"private key from {origin} is passphrase-protected; App Store Connect keys "
                "are not encrypted: use the .p8 file as downloaded, or decrypt it with "
                "`openssl pkcs8 -topk8 -nocrypt -in encrypted.pem -out AuthKey.p8`"
            ) from None
        except (ValueError, UnsupportedAlgorithm):
            raise APIKeyError(
                f"private key from {origin} is not a PEM or DER private key (is it the "
                f"whole file, including the BEGIN/END lines?); {_HOW_TO_GET_A_KEY}"
            ) from None
    if isinstance(loaded, rsa.RSAPrivateKey):
        raise APIKeyError(
            f"private key from {origin} is an RSA key; App Store Connect signs with ES256 "
            f"and needs an EC P-256 key: {_HOW_TO_GET_A_KEY}"
        )
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise APIKeyError(
            f"private key from {origin} is a {type(loaded).__name__}, not an EC P-256 key; "
            f"{_HOW_TO_GET_A_KEY}"
        )
    if not isinstance(loaded.curve, ec.SECP256R1):
        raise APIKeyError(
            f"private key from {origin} is on curve {loaded.curve.name}; ES256 needs "
            f"P-256 (secp256r1): {_HOW_TO_GET_A_KEY}"
        )
    return loaded


def resolve_issuer_id(
    issuer_id: str | None,
    kind: str | None,
    *,
    issuer_variable: str,
    individual_switch: str = f"{KEY_KIND_VARIABLE}=individual",
) -> str | None:
    """The issuer id, or None for an individual key, which must be asked for by name.

    `kind` is the value of `ASC_KEY_KIND` ('team', 'individual' or None); the names are
    only for the messages.
    """
    if kind is not None and kind.strip().lower() not in _KEY_KINDS:
        raise APIKeyError(f"{KEY_KIND_VARIABLE} must be 'team' or 'individual'; got {kind!r}")
    individual = kind is not None and kind.strip().lower() == "individual"
    if individual and issuer_id is not None:
        raise APIKeyError(
            f"{individual_switch} but {issuer_variable} is set: individual keys have no "
            "issuer id; drop one of them"
        )
    if not individual and issuer_id is None:
        raise APIKeyError(
            f"{issuer_variable} is not set or empty: give the issuer id shown above the team "
            "keys in App Store Connect > Users and Access > Integrations, or use "
            f"{individual_switch} for an individual key (which has none)"
        )
    return issuer_id


def _codemagic_value(env: Mapping[str, str], name: str) -> tuple[str | None, Path | None]:
    """A codemagic variable's value, following its `@env:NAME` and `@file:PATH` forms.

    Returns `(text, None)`, or `(None, path)` for `@file:` so the caller can read the file
    and name it in errors; `(None, None)` when the variable is unset or empty.
    """
    value = env.get(name)
    if value is None or not value.strip():
        return None, None
    value = value.strip()
    if value.startswith(_CODEMAGIC_ENV_PREFIX):
        target = value.removeprefix(_CODEMAGIC_ENV_PREFIX)
        resolved = env.get(target) if target else None
        if resolved is None or not resolved.strip():
            raise APIKeyError(
                f"{name} names the environment variable {target!r} (@env:), which is not set "
                "or empty"
            )
        return resolved, None
    if value.startswith(_CODEMAGIC_FILE_PREFIX):
        target = value.removeprefix(_CODEMAGIC_FILE_PREFIX)
        if not target:
            raise APIKeyError(f"{name} is '@file:' without a path")
        return None, Path(target).expanduser()
    return value, None


def _codemagic_text(env: Mapping[str, str], name: str) -> str | None:
    text, path = _codemagic_value(env, name)
    if path is not None:
        # Files usually end with a newline; ids never contain whitespace.
        text = _read_file(path).decode("utf-8", errors="replace").strip() or None
        if text is None:
            raise APIKeyError(f"{name} names {_describe_source(path)}, which is empty")
    return text


def _require_text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise APIKeyError(f"{name} must be a non-empty string")
    if value != value.strip() or any(ord(char) < 32 for char in value):
        raise APIKeyError(f"{name} must not contain whitespace or control characters")
    return value


class APIKey:
    """An App Store Connect API key: its id, issuer, private key and token settings.

    `issuer_id=None` means an individual key (the token then carries `sub: "user"`); it is
    a required argument so that the choice is always written down.
    `enterprise=True` targets Apple's Enterprise Program API (its own host and audience).
    `token_lifetime` is the token's `exp - iat` in seconds, at most Apple's 20 minutes.
    """

    __slots__ = ("_private_key", "enterprise", "issuer_id", "key_id", "token_lifetime")

    def __init__(
        self,
        *,
        key_id: str,
        issuer_id: str | None,
        private_key: PrivateKeySource,
        enterprise: bool = False,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
    ) -> None:
        self.key_id = _require_text(key_id, "key_id")
        self.issuer_id = None if issuer_id is None else _require_text(issuer_id, "issuer_id")
        if isinstance(token_lifetime, bool) or not isinstance(token_lifetime, int):
            raise APIKeyError("token_lifetime must be a whole number of seconds")
        if not 60 <= token_lifetime <= APPLE_MAX_TOKEN_LIFETIME:
            raise APIKeyError(
                f"token_lifetime must be between 60 and {APPLE_MAX_TOKEN_LIFETIME} seconds "
                f"(Apple rejects tokens living longer than 20 minutes); got {token_lifetime}"
            )
        self.token_lifetime = token_lifetime
        self.enterprise = bool(enterprise)
        self._private_key = load_private_key(private_key)

    @property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        return self._private_key

    @property
    def is_individual(self) -> bool:
        return self.issuer_id is None

    def __repr__(self) -> str:
        kind = "individual" if self.is_individual else "team"
        return (
            f"APIKey(key_id={self.key_id!r}, issuer_id={self.issuer_id!r}, kind={kind!r}, "
            f"enterprise={self.enterprise!r})"
        )

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickling would write the private key wherever the pickle goes.
        raise TypeError("APIKey cannot be pickled: it holds a private key")

    @classmethod
    def from_fastlane_json(cls, path: str | os.PathLike[str]) -> APIKey:
        """Load fastlane's API key JSON (`key_id`, `issuer_id`, `key`, `duration`, ...)."""
        raw = _read_file(path)
        where = _describe_source(path)
        try:
            document = json.loads(raw)
        except ValueError:
            raise APIKeyError(f"fastlane key {where} is not valid JSON") from None
        if not isinstance(document, dict):
            raise APIKeyError(f"fastlane key {where} must hold a JSON object")
        missing = [name for name in ("key_id", "key") if not document.get(name)]
        if missing:
            raise APIKeyError(f"fastlane key {where} lacks {', '.join(missing)}")
        key_text = document["key"]
        if not isinstance(key_text, str):
            raise APIKeyError(f"fastlane key {where}: `key` must be a string")
        origin = f"`key` in {where}"
        private_key: PrivateKeySource
        if document.get("is_key_content_base64"):
            private_key = _decode_base64(key_text, origin=origin)
        else:
            private_key = key_text.encode("utf-8")
        duration = document.get("duration", DEFAULT_TOKEN_LIFETIME)
        if isinstance(duration, float) and duration.is_integer():
            duration = int(duration)
        return cls(
            key_id=document["key_id"],
            issuer_id=document.get("issuer_id") or None,
            private_key=load_private_key(private_key, origin=origin),
            enterprise=bool(document.get("in_house", False)),
            token_lifetime=duration,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> APIKey:
        """Load a key from the environment, trying the conventions users already have.

        In order: fastlane's `APP_STORE_CONNECT_API_KEY_PATH` (a JSON key file); the `asc`
        CLI's `ASC_KEY_ID`, `ASC_ISSUER_ID` and one of `ASC_PRIVATE_KEY_PATH`,
        `ASC_PRIVATE_KEY` (PEM text) or `ASC_PRIVATE_KEY_B64`; codemagic's
        `APP_STORE_CONNECT_KEY_IDENTIFIER`, `APP_STORE_CONNECT_ISSUER_ID`,
        `APP_STORE_CONNECT_PRIVATE_KEY`, each also as codemagic's `@env:NAME` (the value of
        another variable) or `@file:PATH` (a file's content).

        An issuer id is required unless `ASC_KEY_KIND=individual` says the key is an
        individual key: an unset or empty issuer id is usually a missing CI secret, and the
        resulting 401 would not say so. (fastlane's JSON file keeps fastlane's own rule: no
        `issuer_id` there means an individual key.)
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value and value.strip() else None

        fastlane_path = get("APP_STORE_CONNECT_API_KEY_PATH")
        if fastlane_path:
            return cls.from_fastlane_json(fastlane_path)

        asc_key_id = get("ASC_KEY_ID")
        if asc_key_id:
            sources = [
                (name, get(name))
                for name in ("ASC_PRIVATE_KEY_PATH", "ASC_PRIVATE_KEY", "ASC_PRIVATE_KEY_B64")
            ]
            given = [(name, value) for name, value in sources if value]
            if not given:
                raise APIKeyError(
                    "ASC_KEY_ID is set but no private key: set ASC_PRIVATE_KEY_PATH (a .p8 "
                    "file), ASC_PRIVATE_KEY (PEM text) or ASC_PRIVATE_KEY_B64"
                )
            if len(given) > 1:
                names = ", ".join(name for name, _ in given)
                raise APIKeyError(f"set only one of {names}; they name the same private key")
            name, value = given[0]
            assert value is not None
            private_key: PrivateKeySource
            if name == "ASC_PRIVATE_KEY_PATH":
                private_key = Path(value)
            elif name == "ASC_PRIVATE_KEY_B64":
                private_key = _decode_base64(value, origin=name)
            else:
                if _PEM_MARKER not in value:
                    raise APIKeyError(
                        "ASC_PRIVATE_KEY must hold PEM text; use ASC_PRIVATE_KEY_PATH for a "
                        "file or ASC_PRIVATE_KEY_B64 for base64"
                    )
                private_key = value.replace("\\n", "\n").encode("utf-8")
            loaded = load_private_key(private_key, origin=name)
            return cls(
                key_id=asc_key_id,
                issuer_id=resolve_issuer_id(
                    get("ASC_ISSUER_ID"), get(KEY_KIND_VARIABLE), issuer_variable="ASC_ISSUER_ID"
                ),
                private_key=loaded,
            )

        codemagic_key_id = _codemagic_text(env, "APP_STORE_CONNECT_KEY_IDENTIFIER")
        if codemagic_key_id:
            codemagic_key, codemagic_key_file = _codemagic_value(
                env, "APP_STORE_CONNECT_PRIVATE_KEY"
            )
            codemagic_source: PrivateKeySource
            if codemagic_key_file is not None:
                codemagic_source = codemagic_key_file
            elif codemagic_key is not None:
                codemagic_source = codemagic_key.replace("\\n", "\n")
            else:
                raise APIKeyError(
                    "APP_STORE_CONNECT_KEY_IDENTIFIER is set but APP_STORE_CONNECT_PRIVATE_KEY "
                    "is not: set it to the PEM text of the .p8 file, or to @file:PATH or "
                    "@env:NAME"
                )
            codemagic_loaded = load_private_key(
                codemagic_source, origin="APP_STORE_CONNECT_PRIVATE_KEY"
            )
            return cls(
                key_id=codemagic_key_id,
                issuer_id=resolve_issuer_id(
                    _codemagic_text(env, "APP_STORE_CONNECT_ISSUER_ID"),
                    get(KEY_KIND_VARIABLE),
                    issuer_variable="APP_STORE_CONNECT_ISSUER_ID",
                ),
                private_key=codemagic_loaded,
            )

        raise APIKeyError(
            "no App Store Connect API key in the environment: set ASC_KEY_ID, ASC_ISSUER_ID "
            "and ASC_PRIVATE_KEY_PATH (or ASC_PRIVATE_KEY / ASC_PRIVATE_KEY_B64); or "
            "APP_STORE_CONNECT_KEY_IDENTIFIER, APP_STORE_CONNECT_ISSUER_ID and "
            "APP_STORE_CONNECT_PRIVATE_KEY; or APP_STORE_CONNECT_API_KEY_PATH (fastlane JSON)"
        )


# The name before the capitalisation was made consistent with APIStatusError & co.
ApiKey = APIKey
