"""Calendar feed tokens: only a SHA-256 of each token is stored, naming its user and role; one
live token per user (issuing a new one revokes the old)."""

from __future__ import annotations

import hashlib

import redis.asyncio as aioredis

from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["FeedStore", "token_hash"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(digest: str) -> str:
    return keys("feed-token", digest)


def _user(user_id: str) -> str:
    return keys("feed-user", user_id)


class FeedStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def issue(self, user_id: str, role: str, token: str) -> None:
        digest = token_hash(token)
        await self._redis.hset(_token(digest), mapping={"user_id": user_id, "role": role})
        old = await self._redis.getset(_user(user_id), digest)
        if old is not None and as_bytes(old).decode() != digest:
            await self._redis.delete(_token(as_bytes(old).decode()))

    async def revoke(self, user_id: str) -> None:
        old = await self._redis.getdel(_user(user_id))
        if old is not None:
            await self._redis.delete(_token(as_bytes(old).decode()))

    async def owner(self, token: str) -> tuple[str, str] | None:
        """(user id, role) of a live token, else None."""
        raw = await self._redis.hmget(_token(token_hash(token)), ["user_id", "role"])
        if raw[0] is None or raw[1] is None:
            return None
        return as_bytes(raw[0]).decode(), as_bytes(raw[1]).decode()
