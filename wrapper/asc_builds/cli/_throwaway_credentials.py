"""A throwaway key written where the CLI can read it, for the fake server and the demo."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..testing import ThrowawayKey

__all__ = ["throwaway_key_environment"]


@contextlib.contextmanager
def throwaway_key_environment(key: ThrowawayKey) -> Iterator[dict[str, str]]:
    """The `ASC_*` variables naming `key`, its PEM in a private file deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="asc-builds-key-") as folder:
        path = Path(folder) / f"AuthKey_{key.key_id}.p8"
        # Created private: the PEM is never readable by other users, not even briefly.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key.private_key_pem)
        environment = {"ASC_KEY_ID": key.key_id, "ASC_PRIVATE_KEY_PATH": str(path)}
        if key.issuer_id is None:
            environment["ASC_KEY_KIND"] = "individual"
        else:
            environment["ASC_ISSUER_ID"] = key.issuer_id
        yield environment
