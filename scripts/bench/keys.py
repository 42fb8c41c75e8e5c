"""One throwaway ES256 key, in the form each contender takes it."""

from __future__ import annotations

from dataclasses import dataclass

from asc_builds import APIKey
from asc_builds.testing import make_throwaway_key

__all__ = ["BenchKey", "new_key"]


@dataclass(frozen=True)
class BenchKey:
    key_id: str
    issuer_id: str
    private_key_pem: str

    def api_key(self) -> APIKey:
        return APIKey(
            key_id=self.key_id, issuer_id=self.issuer_id, private_key=self.private_key_pem
        )


def new_key() -> BenchKey:
    throwaway = make_throwaway_key()
    assert throwaway.issuer_id is not None  # a team key: both clients take an issuer id
    return BenchKey(throwaway.key_id, throwaway.issuer_id, throwaway.private_key_pem)
