"""What the use cases need, injected by bootstrap.py: stores, token issuer, hasher, clock."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tenfour_identity.domain.passwords import PasswordHasher
from tenfour_identity.service.ports import (
    AccessTrail,
    Audit,
    CareLinks,
    Directory,
    EnrolmentCodes,
    Mfa,
    Sessions,
    SigningKeys,
    Throttle,
)
from tenfour_shared.auth.tokens import TokenIssuer

__all__ = ["Deps", "Passwords"]


class Passwords:
    """Argon2id off the event loop, with at most one hash per core at a time.

    Each hash takes ~19 MiB and tens of milliseconds of CPU: unbounded, a burst of logins
    would exhaust memory and stall every other RPC of the process.
    """

    def __init__(self, hasher: PasswordHasher, max_parallel: int | None = None) -> None:
        self._hasher = hasher
        self._slots = asyncio.Semaphore(max_parallel or os.cpu_count() or 1)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.verify, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.needs_rehash(stored_hash)


@dataclass(frozen=True, slots=True)
class Deps:
    directory: Directory
    codes: EnrolmentCodes
    sessions: Sessions
    mfa: Mfa
    throttle: Throttle
    audit: Audit
    signing_keys: SigningKeys
    issuer: TokenIssuer
    passwords: Passwords
    code_pepper: bytes
    clock: Callable[[], datetime]
    # The access audit trail, and the HMAC key of the pseudonyms in it.
    access_trail: AccessTrail | None = None
    access_key: bytes = b""
    # Which officers booked with which provider: for officers' display names (service/care.py).
    care: CareLinks | None = None

    def now(self) -> datetime:
        return self.clock()
