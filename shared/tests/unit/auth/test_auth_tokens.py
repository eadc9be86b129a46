from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tenfour_shared.auth import (
    InvalidToken,
    KeyRingJwks,
    Principal,
    Role,
    SigningKey,
    TokenIssuer,
    TokenVerifier,
)

Claims = Callable[[], dict[str, Any]]
Signer = Callable[[bytes], bytes]


async def _reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    assert str(caught.value) == "invalid or expired access token"  # callers learn nothing more
    return caught.value.reason


async def test_round_trip_yields_principal(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    issued = issuer.issue(subject="u-1", role=Role.THERAPIST, agency_id=None, session_id="s-1")
    principal = await verifier.verify(issued.token)
    assert principal == Principal("u-1", Role.THERAPIST, None, "s-1", issued.token_id)


async def test_token_shape_follows_rfc9068(issuer: TokenIssuer, ring: Any) -> None:
    issued = issuer.issue(subject="u-1", role=Role.OFFICER, agency_id="a-1", session_id="s-1")
    header = jwt.get_unverified_header(issued.token)
    assert header == {"alg": "EdDSA", "typ": "at+jwt", "kid": ring.ring.current.kid}
    claims = jwt.decode(issued.token, options={"verify_signature": False})
    assert claims["aud"] == ["tenfour-scheduling", "tenfour-signaling"]
    assert claims["exp"] - claims["iat"] == 600
    assert claims["nbf"] == claims["iat"]
    assert claims["agency"] == "a-1"
    assert issued.expires_at == datetime.fromtimestamp(claims["exp"], UTC)
    assert issued.token not in repr(issued)


def test_issuer_refuses_bad_input(issuer: TokenIssuer, ring: Any) -> None:
    with pytest.raises(ValueError, match="agency"):
        issuer.issue(subject="u", role=Role.OFFICER, agency_id=None, session_id="s")
    with pytest.raises(ValueError, match="agency"):
        issuer.issue(subject="u", role=Role.SYSTEM_ADMIN, agency_id="a", session_id="s")
    with pytest.raises(ValueError, match="required"):
        issuer.issue(subject="", role=Role.THERAPIST, agency_id=None, session_id="s")
    with pytest.raises(ValueError, match="ttl"):
        issuer.issue(subject="u", role=Role.THERAPIST, agency_id=None, session_id="s", ttl=timedelta(days=1))
    with pytest.raises(ValueError, match="ttl"):
        TokenIssuer(issuer="i", audience="a", keyring=ring, ttl=timedelta(0))
    with pytest.raises(ValueError, match="audience"):
        TokenIssuer(issuer="i", audience=[], keyring=ring)


@pytest.mark.parametrize(
    ("shift", "reason"),
    [
        (timedelta(minutes=-11), "expired"),
        (timedelta(minutes=5), "not_yet_valid"),
    ],
)
async def test_time_window(
    issue: Callable[..., str], verifier: TokenVerifier, shift: timedelta, reason: str
) -> None:
    assert await _reason(verifier, issue(shift=shift)) == reason


async def test_small_clock_skew_is_tolerated(issue: Callable[..., str], verifier: TokenVerifier) -> None:
    assert await verifier.verify(issue(shift=timedelta(seconds=10)))
    assert await verifier.verify(issue(shift=timedelta(minutes=-10, seconds=-10)))


async def test_wrong_issuer_and_audience(issue: Callable[..., str], verifier: TokenVerifier) -> None:
    assert await _reason(verifier, issue(issuer="https://evil.test")) == "issuer"
    assert await _reason(verifier, issue(audience="tenfour-signaling")) == "audience"
    assert await verifier.verify(issue(audience=["x", "tenfour-scheduling"]))


async def test_alg_none_is_refused(
    forge: Any, valid_claims: Claims, ring: Any, verifier: TokenVerifier
) -> None:
    header = {"alg": "none", "typ": "at+jwt", "kid": ring.ring.current.kid}
    token = forge(header, valid_claims(), lambda _: b"")
    assert await _reason(verifier, token) == "algorithm"
    assert await _reason(verifier, token.rstrip(".") + ".") == "algorithm"


@pytest.mark.parametrize("encoding", ["pem", "raw"])
async def test_hs256_signed_with_the_public_key_is_refused(
    forge: Any,
    hs256: Callable[[bytes], Signer],
    valid_claims: Claims,
    ring: Any,
    verifier: TokenVerifier,
    encoding: str,
) -> None:
    public = ring.ring.current.verification_key.public_key
    secret = (
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        if encoding == "pem"
        else public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": ring.ring.current.kid}
    assert await _reason(verifier, forge(header, valid_claims(), hs256(secret))) == "algorithm"


async def test_hs256_header_claiming_eddsa_fails_signature(
    forge: Any, hs256: Callable[[bytes], Signer], valid_claims: Claims, ring: Any, verifier: TokenVerifier
) -> None:
    header = {"alg": "EdDSA", "typ": "at+jwt", "kid": ring.ring.current.kid}
    assert await _reason(verifier, forge(header, valid_claims(), hs256(b"k" * 32))) == "signature"


async def test_rs256_is_refused(valid_claims: Claims, ring: Any, verifier: TokenVerifier) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = {"typ": "at+jwt", "kid": ring.ring.current.kid}
    token = jwt.encode(valid_claims(), key, algorithm="RS256", headers=headers)
    assert await _reason(verifier, token) == "algorithm"


@pytest.mark.parametrize(
    ("header_change", "reason"),
    [
        ({"typ": "JWT"}, "type"),
        ({"typ": None}, "type"),
        ({"typ": "application/at+jwt"}, None),
        ({"typ": "AT+JWT"}, None),
        ({"kid": None}, "unknown_key"),
        ({"kid": "no-such-key"}, "unknown_key"),
        ({"jku": "https://evil.test/jwks"}, "header"),
        ({"crit": ["exp"]}, "malformed"),  # PyJWT refuses an unknown critical extension on parsing
    ],
)
async def test_header_checks(
    forge: Any,
    valid_claims: Claims,
    ed25519_signer: Signer,
    ring: Any,
    verifier: TokenVerifier,
    header_change: dict[str, Any],
    reason: str | None,
) -> None:
    header = {"alg": "EdDSA", "typ": "at+jwt", "kid": ring.ring.current.kid, **header_change}
    header = {k: v for k, v in header.items() if v is not None}
    token = forge(header, valid_claims(), ed25519_signer)
    if reason is None:
        assert await verifier.verify(token)
    else:
        assert await _reason(verifier, token) == reason


@pytest.mark.parametrize(
    ("claim_change", "reason"),
    [
        ({"sid": None}, "claims"),
        ({"jti": None}, "claims"),
        ({"nbf": None}, "claims"),
        ({"sub": ""}, "claims"),
        ({"sub": 42}, "claims"),
        ({"exp": "soon"}, "claims"),
        ({"exp": True}, "claims"),
        ({"aud": []}, "audience"),
        ({"aud": {"tenfour-scheduling": 1}}, "audience"),
        ({"role": "superuser"}, "claims"),
        ({"role": ["officer"]}, "claims"),
        ({"iss": ["https://identity.tenfour.test"]}, "issuer"),
        ({"agency": None}, "claims"),  # an officer always has an agency
        ({"agency": 7}, "claims"),
        ({"role": "system_admin"}, "claims"),  # system admins never carry an agency
        ({"exp": 10**12}, "lifetime"),
    ],
)
async def test_claim_checks(
    forge: Any,
    valid_claims: Claims,
    ed25519_signer: Signer,
    ring: Any,
    verifier: TokenVerifier,
    claim_change: dict[str, Any],
    reason: str,
) -> None:
    claims = {**valid_claims(), **claim_change}
    claims = {k: v for k, v in claims.items() if v is not None or k == "agency"}
    header = {"alg": "EdDSA", "typ": "at+jwt", "kid": ring.ring.current.kid}
    assert await _reason(verifier, forge(header, claims, ed25519_signer)) == reason


async def test_tampering_is_detected(issue: Callable[..., str], verifier: TokenVerifier) -> None:
    header, payload, signature = issue().split(".")
    _, other_payload, _ = issue(role=Role.AGENCY_ADMIN).split(".")
    assert await _reason(verifier, f"{header}.{other_payload}.{signature}") == "signature"
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert await _reason(verifier, f"{header}.{payload}.{flipped}") == "signature"
    assert await _reason(verifier, f"{header}.{payload}.{signature[:40]}") == "signature"
    assert await _reason(verifier, f"{header}.{payload}.") == "signature"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 5000, "e30.e30.e30"])
async def test_garbage_is_malformed(verifier: TokenVerifier, token: str) -> None:
    assert await _reason(verifier, token) in {"malformed", "algorithm"}


async def test_duplicate_claims_are_refused(ring: Any, verifier: TokenVerifier) -> None:
    import base64
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "EdDSA", "typ": "at+jwt", "kid": ring.ring.current.kid}).encode())
    now = int(datetime.now(UTC).timestamp())
    body = (
        f'{{"iss":"https://identity.tenfour.test","aud":"tenfour-scheduling","sub":"u","iat":{now},'
        f'"nbf":{now},"exp":{now + 60},"jti":"j","role":"officer","role":"system_admin",'
        '"agency":"a","sid":"s"}'
    )
    signing_input = f"{header}.{b64(body.encode())}"
    signature = b64(ring.ring.current.private_key.sign(signing_input.encode()))
    assert await _reason(verifier, f"{signing_input}.{signature}") == "malformed"


async def test_previous_key_verifies_until_retired(issue: Callable[..., str], ring: Any) -> None:
    verifier = TokenVerifier(
        issuer="https://identity.tenfour.test", audience="tenfour-scheduling", jwks=KeyRingJwks(ring)
    )
    old_token = issue()
    old_kid = ring.ring.current.kid
    ring.ring = ring.ring.rotate(SigningKey.generate())
    new_token = issue()
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    assert await verifier.verify(old_token)
    assert await verifier.verify(new_token)
    ring.ring = ring.ring.retire(old_kid)
    assert await _reason(verifier, old_token) == "unknown_key"
    assert await verifier.verify(new_token)


def test_verifier_requires_issuer_and_audience() -> None:
    with pytest.raises(ValueError, match="required"):
        TokenVerifier(issuer="", audience="a", jwks=KeyRingJwks(lambda: None))  # type: ignore[arg-type,return-value]
