"""Password hashing with Argon2id, and verification that does not reveal whether a user exists."""

from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["Argon2Params", "PasswordHasher", "normalise_password"]

_log = logging.getLogger(__name__)

# OWASP Password Storage Cheat Sheet floor for Argon2id: m=19 MiB, t=2, p=1 (~30 ms on the
# reference 2-core machine). Configurable upwards, never below.
_MIN_MEMORY_KIB = 19 * 1024
_MIN_TIME_COST = 2
_MIN_PARALLELISM = 1
# Longer inputs cannot be a valid password (policy max is 128 characters); refusing them before
# hashing costs an attacker nothing it did not already know, and caps the work per request.
_MAX_INPUT_CHARS = 1024


def normalise_password(password: str) -> str:
    """NFKC, as NIST SP 800-63B advises, so the same password typed on another keyboard matches."""
    return unicodedata.normalize("NFKC", password)


@dataclass(frozen=True, slots=True)
class Argon2Params:
    memory_kib: int = _MIN_MEMORY_KIB
    time_cost: int = _MIN_TIME_COST
    parallelism: int = _MIN_PARALLELISM

    def __post_init__(self) -> None:
        if (
            self.memory_kib < _MIN_MEMORY_KIB
            or self.time_cost < _MIN_TIME_COST
            or self.parallelism < _MIN_PARALLELISM
        ):
            raise ValueError("Argon2id parameters below the OWASP minimum (m=19 MiB, t=2, p=1)")


class PasswordHasher:
    """Argon2id hashing, verification and rehash detection.

    Creating one computes a dummy hash with the same parameters, so verifying a login for an
    unknown user costs the same as for a real one (no account enumeration by timing).
    """

    def __init__(self, params: Argon2Params | None = None) -> None:
        self.params = params or Argon2Params()
        self._argon2 = argon2.PasswordHasher(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_kib,
            parallelism=self.params.parallelism,
            type=argon2.Type.ID,
        )
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        if len(password) > _MAX_INPUT_CHARS:
            raise ValueError("password too long")
        return self._argon2.hash(normalise_password(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True only if `password` matches; pass None for an unknown user (same cost, always False)."""
        if len(password) > _MAX_INPUT_CHARS:
            return False
        target = self._dummy_hash if stored_hash is None else stored_hash
        try:
            matched = self._argon2.verify(target, normalise_password(password))
        except VerifyMismatchError:
            return False
        except (InvalidHashError, VerificationError):
            _log.error("stored password hash is unreadable; login refused")  # data problem, not a guess
            return False
        return matched and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other (older) parameters: rehash after a good login."""
        try:
            return self._argon2.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
