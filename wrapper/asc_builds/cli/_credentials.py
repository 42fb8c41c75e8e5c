"""Which API key the command line uses: --key-file, else the environment conventions."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from .._exceptions import APIKeyError
from .._keys import KEY_KIND_VARIABLE, APIKey, load_private_key, resolve_issuer_id

__all__ = ["key_file_permissions_problem", "load_key"]

# Apple names downloaded keys AuthKey_<KEY ID>.p8.
_APPLE_KEY_FILE = re.compile(r"^AuthKey_([A-Z0-9]{6,20})\.p8$")


def load_key(
    *,
    key_file: Path | None,
    key_id: str | None,
    issuer_id: str | None,
    individual: bool = False,
    environ: Mapping[str, str],
) -> APIKey:
    """The key named on the command line, or the one the environment describes.

    `--key-file` takes a fastlane JSON key file or a `.p8`; for a `.p8` the key id comes
    from `--key-id`, `ASC_KEY_ID`, or Apple's file name `AuthKey_<KEY ID>.p8`, and the
    issuer from `--issuer-id` or `ASC_ISSUER_ID`; without one, `--individual-key` (or
    `ASC_KEY_KIND=individual`) must say that the key is an individual key.
    """
    if individual:
        environ = {**environ, KEY_KIND_VARIABLE: "individual"}
    if key_file is None:
        if key_id or issuer_id:
            raise APIKeyError("--key-id and --issuer-id need --key-file")
        return APIKey.from_env(environ)
    if key_file.suffix.lower() == ".json":
        return APIKey.from_fastlane_json(key_file)
    match = _APPLE_KEY_FILE.match(key_file.name)
    key_id = key_id or environ.get("ASC_KEY_ID") or (match.group(1) if match else None)
    if not key_id:
        raise APIKeyError(
            f"no key id for {key_file.name}: pass --key-id or set ASC_KEY_ID "
            "(Apple's own file name AuthKey_<KEY ID>.p8 also names it)"
        )
    # The file first: a wrong path is the more basic mistake, and is reported before the rest.
    private_key = load_private_key(key_file)
    return APIKey(
        key_id=key_id,
        issuer_id=resolve_issuer_id(
            issuer_id or environ.get("ASC_ISSUER_ID") or None,
            (environ.get(KEY_KIND_VARIABLE) or "").strip() or None,
            issuer_variable="--issuer-id (or ASC_ISSUER_ID)",
            individual_switch="--individual-key (or ASC_KEY_KIND=individual)",
        ),
        private_key=private_key,
    )


def key_file_permissions_problem(path: Path) -> str | None:
    """A warning when a private key file is readable by other users, else None."""
    if os.name != "posix":
        return None
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return f"{path.name} is readable by other users (mode {mode:o}); run: chmod 600 {path}"
    return None
