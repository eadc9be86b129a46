"""Series plans in the officer's slot, kept for a short while between PlanSeries and BookSeries,
and the rule of each rotation series (kept while its sessions may still be ahead), so a roster
change can re-plan a session the rule named."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["PLAN_TTL_SECONDS", "RULE_TTL_SECONDS", "SeriesStore"]

PLAN_TTL_SECONDS = 15 * 60
RULE_TTL_SECONDS = 92 * 24 * 3600  # past the 90-day horizon: every session of the series is over


def _plan(officer_id: str, plan_id: str) -> str:
    return keys("series-plan", officer_id, plan_id)


def _rule(officer_id: str, series_id: str) -> str:
    return keys("series-rule", officer_id, series_id)


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

    async def put_rule(self, officer_id: str, series_id: str, rule: bytes, *, booked: bool) -> None:
        """A rotation series' rule: briefly with its plan, for the series' life once booked."""
        ttl = RULE_TTL_SECONDS if booked else PLAN_TTL_SECONDS
        await self._redis.set(_rule(officer_id, series_id), rule, ex=ttl)

    async def rule(self, officer_id: str, series_id: str) -> bytes | None:
        raw = await self._redis.get(_rule(officer_id, series_id))
        return None if raw is None else as_bytes(raw)
