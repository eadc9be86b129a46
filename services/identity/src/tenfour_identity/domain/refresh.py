"""Refresh-token families: rotation on every use, and reuse detection that revokes the family.

A family is one login session (its id is the `sid` claim of access tokens). Each refresh
returns a new opaque token and retires the presented one. If a retired token is presented
again, two parties hold the family's tokens (one of them stole it): the whole family is
revoked, which logs out the thief and the officer alike (OAuth 2.0 Security BCP §4.14).

Storage (the Redis adapter implements this atomically in one script):
  family:{id}          -> RefreshFamily, TTL until expires_at
  token:{token_hash}   -> TokenRecord(family_id, generation), TTL until the family's expires_at;
                          kept after rotation, which is what makes reuse detectable.
A token whose hash is not stored at all is simply rejected: revoking on unknown tokens would let
anyone who can guess a family id log its owner out.

Session tokens (`new_session_token`) carry their family id in clear before the secret part,
`rt_<family_id>.<secret>`, so the store can keep the family and all its token records under one
hash tag (one Redis Cluster slot, one atomic script). The id only says where to look: the
token is accepted only if the hash of the whole string is a stored record of that family.

Transition table of `rotate(family, presented, ...)`:
  family revoked                          -> REVOKED, no change
  family expired (absolute or idle)       -> EXPIRED, no change
  presented.generation == generation      -> ROTATED, generation + 1, new hash, last_used_at=now
  presented.generation <  generation      -> REUSED, family revoked (reason reuse_detected)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "FamilyStatus",
    "RefreshFamily",
    "RefreshPolicy",
    "RevocationReason",
    "RotationOutcome",
    "RotationResult",
    "TokenRecord",
    "hash_refresh_token",
    "new_refresh_token",
    "new_session_token",
    "revoke",
    "rotate",
    "session_of",
    "start_family",
]

_TOKEN_PREFIX = "rt_"  # recognisable in secret scanners and in accidental logs
_TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    # HIPAA automatic logoff: an idle session ends; a busy one still ends after a shift's length.
    idle_timeout: timedelta = timedelta(hours=1)
    absolute_lifetime: timedelta = timedelta(hours=12)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.idle_timeout <= self.absolute_lifetime:
            raise ValueError("need 0 < idle_timeout <= absolute_lifetime")


class RevocationReason(StrEnum):
    LOGOUT = "logout"
    REUSE_DETECTED = "reuse_detected"
    PASSWORD_CHANGED = "password_changed"
    ADMIN = "admin"  # account disabled or session ended by an administrator


class FamilyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class RotationOutcome(StrEnum):
    ROTATED = "rotated"
    REUSED = "reused"  # family has just been revoked
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What the store keeps per issued token, under its hash."""

    token_hash: str
    family_id: str
    generation: int


@dataclass(frozen=True, slots=True)
class RefreshFamily:
    family_id: str  # also the session id (`sid`) of the access tokens issued with it
    user_id: str
    generation: int  # generation of the only token currently valid
    current_hash: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime  # absolute end of the session
    revoked_at: datetime | None = None
    revoked_reason: RevocationReason | None = None

    def status(self, now: datetime, policy: RefreshPolicy) -> FamilyStatus:
        if self.revoked_at is not None:
            return FamilyStatus.REVOKED
        if now >= self.expires_at or now >= self.last_used_at + policy.idle_timeout:
            return FamilyStatus.EXPIRED
        return FamilyStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class RotationResult:
    outcome: RotationOutcome
    family: RefreshFamily  # state to store (unchanged unless ROTATED or REUSED)
    new_record: TokenRecord | None = None  # only when ROTATED


def hash_refresh_token(token: str) -> str:
    """SHA-256 suffices: tokens carry 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_refresh_token() -> tuple[str, str]:
    """A fresh opaque token and its hash. Hand the token to the client; store only the hash."""
    token = _TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
    return token, hash_refresh_token(token)


_FAMILY_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_MAX_TOKEN_CHARS = 200


def new_session_token(family_id: str) -> tuple[str, str]:
    """Like new_refresh_token, for a token of `family_id`: `rt_<family_id>.<secret>`."""
    if not _FAMILY_ID.fullmatch(family_id):
        raise ValueError("family id must be 16-64 characters of A-Z, a-z, 0-9, '_' or '-'")
    token = f"{_TOKEN_PREFIX}{family_id}.{secrets.token_urlsafe(_TOKEN_BYTES)}"
    return token, hash_refresh_token(token)


def session_of(token: str) -> str | None:
    """The family id a session token names (not yet verified), or None if it is malformed."""
    if len(token) > _MAX_TOKEN_CHARS or not token.startswith(_TOKEN_PREFIX):
        return None
    family_id, dot, secret = token[len(_TOKEN_PREFIX) :].partition(".")
    if not dot or not secret or not _FAMILY_ID.fullmatch(family_id):
        return None
    return family_id


def start_family(
    *, family_id: str, user_id: str, token_hash: str, now: datetime, policy: RefreshPolicy
) -> tuple[RefreshFamily, TokenRecord]:
    family = RefreshFamily(
        family_id=family_id,
        user_id=user_id,
        generation=0,
        current_hash=token_hash,
        created_at=now,
        last_used_at=now,
        expires_at=now + policy.absolute_lifetime,
    )
    return family, TokenRecord(token_hash, family_id, 0)


def rotate(
    family: RefreshFamily,
    presented: TokenRecord,
    *,
    new_token_hash: str,
    now: datetime,
    policy: RefreshPolicy,
) -> RotationResult:
    """Apply one refresh attempt (see the transition table in the module docstring)."""
    if presented.family_id != family.family_id:
        raise ValueError("token record belongs to another family")
    status = family.status(now, policy)
    if status is FamilyStatus.REVOKED:
        return RotationResult(RotationOutcome.REVOKED, family)
    if status is FamilyStatus.EXPIRED:
        return RotationResult(RotationOutcome.EXPIRED, family)
    current = presented.generation == family.generation and hmac.compare_digest(
        presented.token_hash, family.current_hash
    )
    if not current:
        # An older generation (or a record that contradicts the family): someone replayed a
        # retired token. Fail safe: end the session for everyone holding it.
        return RotationResult(RotationOutcome.REUSED, revoke(family, now, RevocationReason.REUSE_DETECTED))
    generation = family.generation + 1
    rotated = replace(family, generation=generation, current_hash=new_token_hash, last_used_at=now)
    return RotationResult(
        RotationOutcome.ROTATED, rotated, TokenRecord(new_token_hash, family.family_id, generation)
    )


def revoke(family: RefreshFamily, now: datetime, reason: RevocationReason) -> RefreshFamily:
    """End the session; the first reason sticks (a later logout does not hide a detected reuse)."""
    if family.revoked_at is not None:
        return family
    return replace(family, revoked_at=now, revoked_reason=reason)
