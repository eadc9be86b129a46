"""An agency's resources page: ``{agency}`` ``resources`` (a hash of Resource bytes by id)."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import resources_pb2 as spb
from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["ResourceStore"]


class ResourceStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def resources(self, agency_id: str) -> list[spb.Resource]:
        out = []
        for raw in await self._redis.hvals(keys("resources", agency_id)):
            resource = spb.Resource()
            resource.ParseFromString(as_bytes(raw))
            out.append(resource)
        return out

    async def put(self, agency_id: str, resource: spb.Resource) -> None:
        await self._redis.hset(
            keys("resources", agency_id), resource.resource_id, resource.SerializeToString()
        )

    async def remove(self, agency_id: str, resource_id: str) -> bool:
        return bool(await self._redis.hdel(keys("resources", agency_id), resource_id))
