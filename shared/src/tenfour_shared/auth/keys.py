"""Ed25519 signing keys, their JWK form, and a key ring that rotates without breaking tokens.

The `kid` of every key is its RFC 7638 thumbprint: it is derived from the key itself, so two
services can never disagree about which key a `kid` names, and no registry of ids is needed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["KeyRing", "SigningKey", "VerificationKey", "jwk_thumbprint"]

_ED25519_PUBLIC_LEN = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not text or "=" in text:
        raise ValueError("expected unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of an OKP key: required members, sorted, no whitespace."""
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return _b64url(hashlib.sha256(canonical).digest())


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A public key that verifies tokens; `kid` is computed, never supplied."""

    public_key: Ed25519PublicKey
    kid: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kid", jwk_thumbprint(self._members()))

    def _members(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(_raw_public(self.public_key))}

    def to_jwk(self) -> dict[str, str]:
        return {**self._members(), "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> VerificationKey:
        """Parse one JWK; raise ValueError unless it is an Ed25519 signing key whose kid matches."""
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise ValueError("not an Ed25519 OKP key")
        if jwk.get("alg", "EdDSA") != "EdDSA" or jwk.get("use", "sig") != "sig":
            raise ValueError("key is not for EdDSA signatures")
        if "d" in jwk:
            raise ValueError("refusing a JWK that carries a private key")
        x = jwk.get("x")
        if not isinstance(x, str):
            raise ValueError("missing x")
        raw = _b64url_decode(x)
        if len(raw) != _ED25519_PUBLIC_LEN:
            raise ValueError("wrong Ed25519 public key length")
        key = cls(Ed25519PublicKey.from_public_bytes(raw))
        if "kid" in jwk and jwk["kid"] != key.kid:
            raise ValueError("kid is not the RFC 7638 thumbprint of the key")
        return key


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private Ed25519 key; only identity holds these."""

    private_key: Ed25519PrivateKey = field(repr=False)
    verification_key: VerificationKey = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verification_key", VerificationKey(self.private_key.public_key()))

    @property
    def kid(self) -> str:
        return self.verification_key.kid

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=password)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("PEM does not hold an Ed25519 private key")
        return cls(key)

    def to_pem(self, password: bytes | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The current signing key plus previous public keys that still verify.

    Immutable: rotation returns a new ring, so a holder swaps one reference atomically.
    Retire a previous key once every token it signed has expired (access-token TTL + leeway).
    """

    current: SigningKey
    previous: tuple[VerificationKey, ...] = ()

    def __post_init__(self) -> None:
        kids = [self.current.kid, *(k.kid for k in self.previous)]
        if len(set(kids)) != len(kids):
            raise ValueError("duplicate key in key ring")

    def rotate(self, new_key: SigningKey) -> KeyRing:
        """Sign with `new_key` from now on; the old current key keeps verifying."""
        return KeyRing(new_key, (self.current.verification_key, *self.previous))

    def retire(self, kid: str) -> KeyRing:
        """Stop accepting tokens signed with a previous key."""
        if kid == self.current.kid:
            raise ValueError("cannot retire the current signing key; rotate first")
        remaining = tuple(k for k in self.previous if k.kid != kid)
        if len(remaining) == len(self.previous):
            raise KeyError(kid)
        return KeyRing(self.current, remaining)

    def verification_keys(self) -> Iterable[VerificationKey]:
        yield self.current.verification_key
        yield from self.previous

    def verification_key(self, kid: str) -> VerificationKey | None:
        return next((k for k in self.verification_keys() if k.kid == kid), None)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWK Set (RFC 7517) to publish, current key first."""
        return {"keys": [k.to_jwk() for k in self.verification_keys()]}
