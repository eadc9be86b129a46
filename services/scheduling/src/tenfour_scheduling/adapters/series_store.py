"""Series plans in the officer's slot, kept for a short while between PlanSeries and BookSeries."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["PLAN_TTL_SECONDS", "SeriesStore"]

PLAN_TTL_SECONDS = 15 * 60


def _plan(officer_id: str, plan_id: str) -> str:
    return keys("series-plan", officer_id, plan_id)


class SeriesStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def put(self, officer_id: str, provider_id: str, plan: pb.SeriesPlan) -> None:
        key = _plan(officer_id, plan.plan_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"provider_id": provider_id, "plan": plan.SerializeToString()})
            pipe.expire(key, PLAN_TTL_SECONDS)
            await pipe.execute()

    async def get(self, officer_id: str, plan_id: str) -> tuple[str, pb.SeriesPlan] | None:
        raw = await self._redis.hmget(_plan(officer_id, plan_id), ["provider_id", "plan"])
        if raw[0] is None or raw[1] is None:
            return None
        plan = pb.SeriesPlan()
        plan.ParseFromString(as_bytes(raw[1]))
        return as_bytes(raw[0]).decode(), plan
