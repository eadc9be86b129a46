"""TURN REST credentials for coturn's ``use-auth-secret`` (draft-uberti-behave-turn-rest-00).

The username is ``<expiry unix time>:<opaque session handle>``: coturn writes usernames to its
logs, so it must never contain a user id. coturn recomputes the password from its shared secret
and rejects the username once the expiry has passed, including on allocation refreshes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tenfour_shared.timeline import as_utc

from .errors import RoomStateError

__all__ = [
    "DEFAULT_MAX_TTL",
    "TurnCredential",
    "credential_expiry",
    "mint_turn_credential",
    "turn_password",
]

# Covers a long session plus grace; longer sessions get a refreshed credential pushed.
DEFAULT_MAX_TTL = timedelta(hours=3)
_HANDLE = re.compile(r"[A-Za-z0-9_-]{8,64}")


@dataclass(frozen=True, slots=True)
class TurnCredential:
    username: str
    password: str = field(repr=False)
    expires_at: datetime


def turn_password(secret: str, username: str) -> str:
    """base64(HMAC-SHA1(secret, username)): what coturn computes from ``static-auth-secret``."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def mint_turn_credential(secret: str, handle: str, expires_at: datetime) -> TurnCredential:
    """Credentials for one participant's session handle, valid until ``expires_at``.

    Minting with a past expiry is allowed (coturn will reject it) so tests can prove rejection.
    """
    if not secret:
        raise ValueError("the TURN shared secret is empty")
    if _HANDLE.fullmatch(handle) is None:
        raise ValueError("a TURN user must be an opaque session handle")
    expiry = int(as_utc(expires_at).timestamp())
    username = f"{expiry}:{handle}"
    return TurnCredential(username, turn_password(secret, username), datetime.fromtimestamp(expiry, UTC))


def credential_expiry(now: datetime, closes_at: datetime, max_ttl: timedelta = DEFAULT_MAX_TTL) -> datetime:
    """Expiry bound to the room's close (end + grace), capped at ``max_ttl`` from now."""
    now, closes_at = as_utc(now), as_utc(closes_at)
    if closes_at <= now:
        raise RoomStateError("the session has ended")
    return min(closes_at, now + max_ttl)
