from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tenfour_shared.auth import KeyRing, SigningKey, VerificationKey, jwk_thumbprint

# RFC 8037 Appendix A: the Ed25519 example key and its RFC 7638 thumbprint.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def _rfc_key() -> SigningKey:
    raw = base64.urlsafe_b64decode(RFC8037_D + "=")
    return SigningKey(Ed25519PrivateKey.from_private_bytes(raw))


def test_thumbprint_matches_rfc8037_vector() -> None:
    assert jwk_thumbprint({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}) == RFC8037_THUMBPRINT


def test_kid_is_the_thumbprint_and_jwk_is_public_only() -> None:
    key = _rfc_key()
    assert key.kid == RFC8037_THUMBPRINT
    assert key.verification_key.to_jwk() == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": RFC8037_X,
        "kid": RFC8037_THUMBPRINT,
        "alg": "EdDSA",
        "use": "sig",
    }


def test_jwk_round_trip() -> None:
    key = SigningKey.generate().verification_key
    assert VerificationKey.from_jwk(key.to_jwk()) == key


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "RSA"},
        {"crv": "X25519"},
        {"alg": "HS256"},
        {"use": "enc"},
        {"d": RFC8037_D},
        {"kid": "not-the-thumbprint"},
        {"x": "AAAA"},
        {"x": RFC8037_X + "="},
        {"x": 5},
    ],
)
def test_from_jwk_refuses_anything_but_a_public_ed25519_signing_key(change: dict[str, object]) -> None:
    jwk = {**_rfc_key().verification_key.to_jwk(), **change}
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        VerificationKey.from_jwk(jwk)


def test_pem_round_trip_with_and_without_password() -> None:
    key = SigningKey.generate()
    assert SigningKey.from_pem(key.to_pem()).kid == key.kid
    encrypted = key.to_pem(password=b"correct horse")
    assert b"ENCRYPTED" in encrypted
    assert SigningKey.from_pem(encrypted, password=b"correct horse").kid == key.kid


def test_signing_key_repr_hides_the_private_key() -> None:
    assert "private_key" not in repr(SigningKey.generate())


def test_rotation_keeps_previous_keys_verifying_until_retired() -> None:
    first, second, third = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(first).rotate(second).rotate(third)
    assert ring.current is third
    assert [k["kid"] for k in ring.jwks()["keys"]] == [third.kid, second.kid, first.kid]
    assert ring.verification_key(first.kid) == first.verification_key
    retired = ring.retire(first.kid)
    assert retired.verification_key(first.kid) is None
    assert retired.verification_key(second.kid) is not None


def test_ring_refuses_to_retire_current_or_unknown_keys_and_duplicates() -> None:
    key = SigningKey.generate()
    ring = KeyRing(key)
    with pytest.raises(ValueError, match="current"):
        ring.retire(key.kid)
    with pytest.raises(KeyError):
        ring.retire("unknown")
    with pytest.raises(ValueError, match="duplicate"):
        ring.rotate(key)
