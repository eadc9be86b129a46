"""Which officers booked a session with which provider: one Redis set per provider.

Only ids, never names: the names stay in the directory. A provider's set lives for a year
after the last session added to it (the same horizon as a course of therapy and its follow-up).
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis

from tenfour_identity.adapters import keys

__all__ = ["CareLinkStore"]

KEEP_SECONDS = 400 * 24 * 3600


def _key(provider_id: str) -> str:
    return keys.keys("care", provider_id)


class CareLinkStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def link(self, provider_id: str, officer_ids: Sequence[str]) -> None:
        if not officer_ids:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(_key(provider_id), *officer_ids)
            pipe.expire(_key(provider_id), KEEP_SECONDS)
            await pipe.execute()

    async def linked(self, provider_id: str, officer_ids: Sequence[str]) -> set[str]:
        if not officer_ids:
            return set()
        found = await self._redis.smismember(_key(provider_id), list(officer_ids))
        return {officer for officer, member in zip(officer_ids, found, strict=True) if member}
