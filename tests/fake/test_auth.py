"""Token checks, each way a token can be wrong, against the in-process transport."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import jwt
import pytest
from asc_builds.testing import FakeAppStoreConnect, FakeBuild, ManualClock, make_throwaway_key
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ._support import BUILD_ID, Signer, bearer, update_body

NOT_AUTHORIZED_TITLE = "Authentication credentials are missing or invalid."


def patch(fake: FakeAppStoreConnect, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(
        transport=fake.transport(), base_url="https://api.appstoreconnect.apple.com"
    ) as http:
        return http.patch(f"/v1/builds/{BUILD_ID}", json=update_body(), headers=headers)


def assert_rejected(fake: FakeAppStoreConnect, response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert error["code"] == "NOT_AUTHORIZED"
    assert error["title"] == NOT_AUTHORIZED_TITLE
    assert error["status"] == "401"
    assert fake.requests[-1].rejection == reason


def test_valid_team_token_is_accepted(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    assert patch(fake, bearer(sign())).status_code == 200


def test_valid_individual_token_is_accepted(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    individual = fake.add_throwaway_key(individual=True)
    assert individual.issuer_id is None
    assert patch(fake, bearer(sign(individual))).status_code == 200


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing bearer token"),
        ({"Authorization": "Basic abc"}, "missing bearer token"),
        ({"Authorization": "Bearer not-a-jwt"}, "malformed token"),
    ],
)
def test_missing_or_garbled_credentials(
    fake: FakeAppStoreConnect, build: FakeBuild, headers: dict[str, str], reason: str
) -> None:
    assert_rejected(fake, patch(fake, headers), reason)


def test_bad_signature(fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer) -> None:
    impostor = make_throwaway_key()
    token = sign(impostor, headers={"kid": (fake.requests and "x") or ""})
    # Same kid as the registered key, signed by a different private key.
    registered_kid = jwt.get_unverified_header(sign())["kid"]
    token = sign(impostor, headers={"kid": registered_kid})
    assert_rejected(fake, patch(fake, bearer(token)), "bad signature")


def test_unknown_kid(fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer) -> None:
    assert_rejected(fake, patch(fake, bearer(sign(headers={"kid": "UNKNOWN123"}))), "unknown kid")


def test_wrong_typ(fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer) -> None:
    assert_rejected(fake, patch(fake, bearer(sign(headers={"typ": "at+jwt"}))), "typ is not JWT")


def test_wrong_algorithm(
    fake: FakeAppStoreConnect, build: FakeBuild, team_key: Any, clock: ManualClock
) -> None:
    now = int(clock.now())
    claims = {"iss": team_key.issuer_id, "iat": now, "exp": now + 60, "aud": "appstoreconnect-v1"}
    token = jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": team_key.key_id})
    assert_rejected(fake, patch(fake, bearer(token)), "alg is not ES256")


def test_wrong_audience(fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer) -> None:
    token = sign(claims={"aud": "appstoreconnect-v2"})
    assert_rejected(fake, patch(fake, bearer(token)), "wrong audience")


def test_lifetime_over_twenty_minutes(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    assert patch(fake, bearer(sign(lifetime=1200))).status_code == 200
    assert_rejected(
        fake, patch(fake, bearer(sign(lifetime=1201))), "lifetime exp - iat exceeds 20 minutes"
    )


def test_expired_token_with_leeway(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer, clock: ManualClock
) -> None:
    token = sign(lifetime=60)
    clock.advance(65)  # within the default 10 s leeway
    assert patch(fake, bearer(token)).status_code == 200
    clock.advance(10)
    assert_rejected(fake, patch(fake, bearer(token)), "token has expired")


def test_not_yet_valid(fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer) -> None:
    assert patch(fake, bearer(sign(issued_offset=5))).status_code == 200
    assert_rejected(fake, patch(fake, bearer(sign(issued_offset=120))), "token is not yet valid")


def test_missing_times(fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer) -> None:
    assert_rejected(
        fake, patch(fake, bearer(sign(drop=("exp",)))), "iat and exp are required numbers"
    )


def test_issuer_must_match_team_key(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    token = sign(claims={"iss": "57246542-96fe-1a63-e053-0824d011072a"})
    assert_rejected(fake, patch(fake, bearer(token)), "iss does not match the key's issuer")


def test_individual_key_needs_sub_user_and_no_iss(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    individual = fake.add_throwaway_key(individual=True)
    reason = 'individual keys need sub "user" and no iss'
    assert_rejected(fake, patch(fake, bearer(sign(individual, drop=("sub",)))), reason)
    with_iss = sign(individual, claims={"iss": "57246542-96fe-1a63-e053-0824d011072a"})
    assert_rejected(fake, patch(fake, bearer(with_iss)), reason)


@pytest.mark.parametrize(
    "scope", [[f"PATCH /v1/builds/{BUILD_ID}"], ["GET /v1/apps", f"PATCH /builds/{BUILD_ID}"]]
)
def test_scope_allowing_the_request(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer, scope: list[str]
) -> None:
    assert patch(fake, bearer(sign(claims={"scope": scope}))).status_code == 200


@pytest.mark.parametrize(
    "scope",
    [
        [],
        ["PATCH /v1/builds/other"],
        [f"GET /v1/builds/{BUILD_ID}"],
        ["PATCH /v1/builds/*"],
    ],
)
def test_scope_mismatch_is_403(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer, scope: list[str]
) -> None:
    response = patch(fake, bearer(sign(claims={"scope": scope})))
    assert response.status_code == 403
    (error,) = response.json()["errors"]
    assert error["code"] == "FORBIDDEN_ERROR"
    assert fake.build(BUILD_ID).expired is False


def test_scope_of_wrong_type_is_401(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer
) -> None:
    token = sign(claims={"scope": f"PATCH /v1/builds/{BUILD_ID}"})
    assert_rejected(fake, patch(fake, bearer(token)), "scope must be a list of strings")


def test_skewed_clock_affects_tokens_and_date(
    fake: FakeAppStoreConnect, build: FakeBuild, sign: Signer, clock: ManualClock
) -> None:
    token = sign()
    fake.set_clock_offset(-120)  # the service is two minutes behind the client
    assert_rejected(fake, patch(fake, bearer(token)), "token is not yet valid")
    fake.set_clock_offset(3600)
    response = patch(fake, bearer(token))
    assert response.status_code == 401
    served = parsedate_to_datetime(response.headers["date"]).timestamp()
    assert served == int(clock.now() + 3600)


def test_register_key_rejects_bad_keys(fake: FakeAppStoreConnect) -> None:
    with pytest.raises(ValueError, match="PEM"):
        fake.register_key("K", "not a key")
    other_curve = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError, match="P-256"):
        fake.register_key("K", other_curve)
    with pytest.raises(ValueError, match="key_id"):
        fake.register_key("", make_throwaway_key().public_key_pem)
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fake.register_key("BYTES", pem, issuer_id="i")
    fake.register_key("PRIVATE", private, issuer_id="i")
