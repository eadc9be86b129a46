"""Secrets at rest: one master key, a derived key per purpose, AES-256-GCM and HMAC-SHA256.

Each purpose gets its own HKDF-SHA256 subkey, so a key used to hash throttle keys can never
decrypt a TOTP secret. Ciphertexts are bound to the record they belong to (AES-GCM associated
data, e.g. the user id), so a sealed value copied onto another record does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Purpose", "SealedValueError", "Vault"]

_log = logging.getLogger(__name__)
_MIN_MASTER_BYTES = 32
_NONCE_BYTES = 12
_DEV_MASTER = b"tenfour-identity development key: never use in production"


class Purpose(StrEnum):
    SIGNING_KEY = "signing-key"  # Ed25519 private keys in Redis
    TOTP = "totp"  # TOTP shared secrets
    CONTACT = "contact"  # officers' reminder contact channel
    CODE_PEPPER = "enrolment-code-pepper"  # HMAC key of enrolment codes
    THROTTLE = "throttle"  # HMAC key naming per-account and per-source counters
    ACCESS_PSEUDONYM = "access-pseudonym"  # HMAC key of ids in the access audit trail


class SealedValueError(Exception):
    """A sealed value does not open: wrong master key, tampering, or another record's value."""


def _decode_master(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))):
        try:
            raw = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) >= _MIN_MASTER_BYTES:
            return raw
    raise ValueError(
        f"TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY must be at least {_MIN_MASTER_BYTES} bytes, hex or base64url"
    )


class Vault:
    def __init__(self, master: bytes) -> None:
        if len(master) < _MIN_MASTER_BYTES:
            raise ValueError(f"master key must have at least {_MIN_MASTER_BYTES} bytes")
        self._keys = {purpose: self._derive(master, purpose) for purpose in Purpose}

    @classmethod
    def from_setting(cls, value: str) -> Vault:
        """The vault of TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY; a development vault when it is empty."""
        if value.strip():
            return cls(_decode_master(value))
        _log.warning(
            "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY is not set: using a fixed development key. "
            "Signing keys and TOTP secrets are NOT protected at rest; set it in any real deployment."
        )
        return cls(hashlib.sha256(_DEV_MASTER).digest())

    @staticmethod
    def generate_master() -> str:
        """A fresh master key in the form the setting expects (for operators' key generation)."""
        return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode("ascii")

    @staticmethod
    def _derive(master: bytes, purpose: Purpose) -> bytes:
        info = f"tenfour-identity/{purpose.value}".encode()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    def seal(self, purpose: Purpose, plaintext: bytes, context: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self._keys[purpose]).encrypt(nonce, plaintext, context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, purpose: Purpose, sealed: str, context: str) -> bytes:
        try:
            raw = base64.urlsafe_b64decode(sealed)
            return AESGCM(self._keys[purpose]).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()
            )
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise SealedValueError(f"sealed {purpose.value} value does not open") from exc

    def mac(self, purpose: Purpose, data: str) -> str:
        return hmac.new(self._keys[purpose], data.encode(), hashlib.sha256).hexdigest()

    def key(self, purpose: Purpose) -> bytes:
        """The raw subkey, for code that does its own HMAC (the enrolment-code pepper)."""
        return self._keys[purpose]
