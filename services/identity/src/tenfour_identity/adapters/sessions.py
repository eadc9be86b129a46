"""Sign-in sessions as refresh-token families in Redis (see domain/refresh.py for the rules).

A family and the records of every token it issued share the family's hash tag, so rotation is
one atomic script on one slot. Each user's family ids are also listed in the directory, so
deactivation can end every session of the account.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import redis.asyncio as aioredis

from tenfour_identity.adapters import keys
from tenfour_identity.domain.records import Rotation, StartedSession
from tenfour_identity.domain.refresh import (
    RefreshPolicy,
    RevocationReason,
    RotationOutcome,
    hash_refresh_token,
    new_session_token,
    session_of,
)
from tenfour_shared.redis_store import as_bytes, load_script

__all__ = ["Rotation", "SessionStore", "StartedSession"]

_PACKAGE = "tenfour_identity.adapters"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class SessionStore:
    def __init__(self, redis: aioredis.Redis, policy: RefreshPolicy) -> None:
        self._redis = redis
        self.policy = policy
        self._rotate = load_script(redis, _PACKAGE, "session_rotate.lua")
        self._revoke = load_script(redis, _PACKAGE, "session_revoke.lua")

    async def start(self, user_id: str, now: datetime) -> StartedSession:
        family_id = secrets.token_urlsafe(16)
        token, token_hash = new_session_token(family_id)
        expires = now + self.policy.absolute_lifetime
        index = keys.user_sessions(user_id)
        # Listed first: a deactivation running now either sees this family or the user's flag
        # stops its first refresh.
        await self._redis.sadd(index, family_id)
        await self._redis.pexpireat(index, _ms(expires))
        family_key = keys.family(family_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                family_key,
                mapping={
                    "user_id": user_id,
                    "generation": 0,
                    "current_hash": token_hash,
                    "created_at": _ms(now),
                    "last_used_at": _ms(now),
                    "expires_at": _ms(expires),
                },
            )
            pipe.pexpireat(family_key, _ms(expires))
            pipe.set(keys.refresh_record(family_id, token_hash), 0, pxat=_ms(expires))
            await pipe.execute()
        return StartedSession(family_id, token)

    async def rotate(self, token: str, now: datetime) -> Rotation:
        family_id = session_of(token)
        if family_id is None:
            return Rotation(None)
        presented = hash_refresh_token(token)
        new_token, new_hash = new_session_token(family_id)
        reply = await self._rotate(
            keys=[
                keys.family(family_id),
                keys.refresh_record(family_id, presented),
                keys.refresh_record(family_id, new_hash),
            ],
            args=[_ms(now), int(self.policy.idle_timeout.total_seconds() * 1000), presented, new_hash],
        )
        outcome, user_id = as_bytes(reply[0]).decode(), as_bytes(reply[1]).decode()
        if outcome == "unknown":
            return Rotation(None)
        result = RotationOutcome(outcome)
        issued = new_token if result is RotationOutcome.ROTATED else ""
        return Rotation(result, user_id, family_id, issued)

    async def family_of(self, token: str) -> tuple[str, str] | None:
        """(family id, user id) of a stored token, without using it (logout)."""
        family_id = session_of(token)
        if family_id is None:
            return None
        if not await self._redis.exists(keys.refresh_record(family_id, hash_refresh_token(token))):
            return None
        user_id = await self._redis.hget(keys.family(family_id), "user_id")
        return (family_id, as_bytes(user_id).decode()) if user_id else None

    async def revoke(self, family_id: str, now: datetime, reason: RevocationReason) -> bool:
        return bool(await self._revoke(keys=[keys.family(family_id)], args=[_ms(now), reason.value]))

    async def revoke_all(self, user_id: str, now: datetime, reason: RevocationReason) -> int:
        members = await self._redis.smembers(keys.user_sessions(user_id))
        revoked = 0
        for member in members:
            revoked += await self.revoke(as_bytes(member).decode(), now, reason)
        return revoked

    async def is_active(self, family_id: str) -> bool:
        """False once the session was revoked (logout, reuse, deactivation) or has ended."""
        state = await self._redis.hmget(keys.family(family_id), ["user_id", "revoked_at"])
        return bool(state[0]) and not state[1]
