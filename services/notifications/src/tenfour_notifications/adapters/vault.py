"""Contact data at rest: AES-256-GCM under a key derived (HKDF) from the service's master key,
each value bound to its record (associated data), as identity seals its secrets."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12


class SealedValueError(Exception):
    """Wrong key, tampering, or a value copied from another record."""


def decode_master(text: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))):
        try:
            raw = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(raw) >= 32:
            return raw
    raise ValueError("TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY must be at least 32 bytes, hex or base64url")


class Vault:
    def __init__(self, master: bytes) -> None:
        derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tenfour-notifications/seal")
        self._seal_key = AESGCM(derive.derive(master))
        self._mac_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"tenfour-notifications/mac"
        ).derive(master)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._seal_key.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        try:
            return self._seal_key.decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode())
        except (InvalidTag, ValueError) as exc:
            raise SealedValueError("sealed value does not open") from exc

    def mac(self, data: str) -> str:
        """A keyed digest, to look records up by a secret (tokens, endpoints) without storing it."""
        return hmac.new(self._mac_key, data.encode(), hashlib.sha256).hexdigest()
