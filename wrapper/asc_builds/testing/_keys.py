"""Throwaway ES256 keys shaped like App Store Connect API keys."""

from __future__ import annotations

import secrets
import string
import uuid

import attrs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .._keys import APIKey

__all__ = ["ThrowawayKey", "make_throwaway_key"]

_KEY_ID_ALPHABET = string.ascii_uppercase + string.digits


@attrs.frozen(repr=False)
class ThrowawayKey:
    """A freshly generated P-256 key with Apple-style ids.

    ``issuer_id`` is ``None`` for an individual key (tokens then carry
    ``sub: "user"`` and no ``iss``). The private key never appears in ``repr``/``str``.
    """

    key_id: str
    issuer_id: str | None
    private_key_pem: str
    public_key_pem: str

    def __repr__(self) -> str:
        return (
            f"ThrowawayKey(key_id={self.key_id!r}, issuer_id={self.issuer_id!r}, "
            "private_key_pem=<redacted>)"
        )

    __str__ = __repr__

    def api_key(self) -> APIKey:
        """The SDK's key for this throwaway key (individual when it has no issuer id)."""
        return APIKey(
            key_id=self.key_id, issuer_id=self.issuer_id, private_key=self.private_key_pem
        )


def make_throwaway_key(*, individual: bool = False) -> ThrowawayKey:
    """A new P-256 key; a 10-character key id and, for team keys, a UUID issuer id."""
    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    key_id = "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(10))
    issuer_id = None if individual else str(uuid.uuid4())
    return ThrowawayKey(key_id, issuer_id, private_pem, public_pem)
