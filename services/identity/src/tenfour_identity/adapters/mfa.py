"""TOTP enrolment state in Redis: pending secrets, first-login setup tickets, used time steps.

A pending secret (sealed) waits for its first code for a few minutes and allows a few wrong
codes only. A setup ticket is an opaque 256-bit bearer value stored as its SHA-256, bound to
one user, short-lived, limited in wrong codes and consumed by the first success.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from tenfour_identity.adapters import audit, keys
from tenfour_identity.adapters.audit import AuditEntry
from tenfour_identity.adapters.vault import Purpose, Vault
from tenfour_identity.domain.records import Pending
from tenfour_shared.redis_store import as_bytes, load_script

__all__ = ["MfaStore", "Pending"]

_PACKAGE = "tenfour_identity.adapters"
_TICKET_PREFIX = "mst_"


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class MfaStore:
    def __init__(
        self,
        redis: aioredis.Redis,
        vault: Vault,
        *,
        pending_ttl: timedelta = timedelta(minutes=10),
        ticket_ttl: timedelta = timedelta(minutes=10),
        max_wrong_codes: int = 5,
    ) -> None:
        self._redis = redis
        self._vault = vault
        self._pending_ttl = pending_ttl
        self._ticket_ttl = ticket_ttl
        self._max_wrong = max_wrong_codes
        self._accept = load_script(redis, _PACKAGE, "totp_accept.lua")
        self._count_wrong = load_script(redis, _PACKAGE, "count_wrong.lua")

    # -- pending secrets ---------------------------------------------------------------------

    async def start_pending(self, user_id: str, secret: str) -> None:
        key = keys.mfa_pending(user_id)
        sealed = self._vault.seal(Purpose.TOTP, secret.encode(), user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping={"sealed": sealed, "wrong": 0})
            pipe.pexpire(key, self._pending_ttl)
            await pipe.execute()

    async def pending(self, user_id: str) -> Pending | None:
        sealed = await self._redis.hget(keys.mfa_pending(user_id), "sealed")
        if sealed is None:
            return None
        text = as_bytes(sealed).decode()
        return Pending(self._vault.open(Purpose.TOTP, text, user_id).decode(), text)

    async def pending_failed(self, user_id: str) -> None:
        """Count a wrong code; the pending secret is dropped after too many."""
        await self._count_wrong(keys=[keys.mfa_pending(user_id)], args=[self._max_wrong])

    async def enable(self, user_id: str, pending: Pending, step: int, entry: AuditEntry) -> bool:
        """Make the pending secret the account's second factor (False: it changed meanwhile)."""
        key, cred = keys.mfa_pending(user_id), keys.credentials(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                current = await pipe.hget(key, "sealed")
                if current is None or as_bytes(current).decode() != pending.sealed:
                    await pipe.unwatch()  # type: ignore[no-untyped-call]
                    return False
                pipe.multi()  # type: ignore[no-untyped-call]
                pipe.hset(cred, mapping={"totp_sealed": pending.sealed, "totp_last_step": step})
                pipe.delete(key)
                audit.stage(pipe, entry)
                await pipe.execute()
            except WatchError:
                return False
        return True

    async def accept_step(self, user_id: str, step: int) -> bool:
        return bool(await self._accept(keys=[keys.credentials(user_id)], args=[step]))

    # -- first-login setup tickets -------------------------------------------------------------

    async def new_ticket(self, user_id: str) -> str:
        ticket = _TICKET_PREFIX + secrets.token_urlsafe(32)
        key = keys.mfa_ticket(_ticket_hash(ticket))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"user_id": user_id, "wrong": 0})
            pipe.pexpire(key, self._ticket_ttl)
            await pipe.execute()
        return ticket

    async def ticket_user(self, ticket: str) -> str | None:
        if not ticket.startswith(_TICKET_PREFIX) or len(ticket) > 100:
            return None
        raw = await self._redis.hget(keys.mfa_ticket(_ticket_hash(ticket)), "user_id")
        return None if raw is None else as_bytes(raw).decode()

    async def ticket_failed(self, ticket: str) -> None:
        await self._count_wrong(keys=[keys.mfa_ticket(_ticket_hash(ticket))], args=[self._max_wrong])

    async def consume_ticket(self, ticket: str) -> bool:
        """True for exactly one caller: the ticket is gone afterwards."""
        return bool(await self._redis.delete(keys.mfa_ticket(_ticket_hash(ticket))))
