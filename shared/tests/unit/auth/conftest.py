"""Keys, issuers and verifiers shared by the auth tests, plus a forger for hostile tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tenfour_shared.auth import KeyRing, KeyRingJwks, Role, SigningKey, TokenIssuer, TokenVerifier

ISSUER = "https://identity.tenfour.test"
AUDIENCE = "tenfour-scheduling"

Forge = Callable[[dict[str, Any], dict[str, Any], Callable[[bytes], bytes]], str]
Issue = Callable[..., str]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class RingHolder:
    """Stands in for identity's key-ring holder: one mutable reference to an immutable ring."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def __call__(self) -> KeyRing:
        return self.ring


@pytest.fixture
def ring() -> RingHolder:
    return RingHolder(KeyRing(SigningKey.generate()))


@pytest.fixture
def issuer(ring: RingHolder) -> TokenIssuer:
    return TokenIssuer(issuer=ISSUER, audience=[AUDIENCE, "tenfour-signaling"], keyring=ring)


@pytest.fixture
def verifier(ring: RingHolder) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=KeyRingJwks(ring))


@pytest.fixture
def issue(ring: RingHolder) -> Issue:
    """Issue a token with overrides: shift=timedelta moves the issuer's clock, others go to issue()."""

    def _issue(
        *,
        role: Role = Role.OFFICER,
        agency_id: str | None = "agency-1",
        shift: timedelta = timedelta(0),
        **kwargs: Any,
    ) -> str:
        issuer = TokenIssuer(
            issuer=kwargs.pop("issuer", ISSUER),
            audience=AUDIENCE,
            keyring=ring,
            clock=lambda: datetime.now(UTC) + shift,
        )
        kwargs.setdefault("subject", "user-1")
        kwargs.setdefault("session_id", "session-1")
        return issuer.issue(role=role, agency_id=agency_id, **kwargs).token

    return _issue


@pytest.fixture
def valid_claims() -> Callable[[], dict[str, Any]]:
    def _claims() -> dict[str, Any]:
        now = int(datetime.now(UTC).timestamp())
        return {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "jti": "jti-1",
            "role": "officer",
            "agency": "agency-1",
            "sid": "session-1",
        }

    return _claims


@pytest.fixture
def forge() -> Forge:
    """Build a compact JWS from any header and claims, signed by `sign(signing_input)`."""

    def _forge(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        return f"{signing_input}.{b64url(sign(signing_input.encode()))}"

    return _forge


@pytest.fixture
def ed25519_signer(ring: RingHolder) -> Callable[[bytes], bytes]:
    return lambda data: ring.ring.current.private_key.sign(data)


def hs256_with(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda data: hmac.new(secret, data, hashlib.sha256).digest()


@pytest.fixture
def hs256() -> Callable[[bytes], Callable[[bytes], bytes]]:
    return hs256_with
