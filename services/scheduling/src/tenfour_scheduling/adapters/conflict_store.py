"""What roster-change conflict detection keeps: each conflict's reason and alternatives (in the
officer's slot, next to the officer's calendar) and which officers belong to an agency (so a
fatigue-policy change re-checks them)."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["ConflictStore"]


def _conflicts(officer_id: str) -> str:
    return keys("conflicts", officer_id)


def _agency_officers(agency_id: str) -> str:
    return keys("agency-officers", agency_id)


class ConflictStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def put(self, officer_id: str, appointment_id: str, conflict: pb.Conflict) -> None:
        await self._redis.hset(_conflicts(officer_id), appointment_id, conflict.SerializeToString())

    async def all(self, officer_id: str) -> dict[str, pb.Conflict]:
        raw = await self._redis.hgetall(_conflicts(officer_id))
        out: dict[str, pb.Conflict] = {}
        for k, v in raw.items():
            conflict = pb.Conflict()
            conflict.ParseFromString(as_bytes(v))
            out[as_bytes(k).decode()] = conflict
        return out

    async def drop(self, officer_id: str, appointment_ids: list[str]) -> None:
        if appointment_ids:
            await self._redis.hdel(_conflicts(officer_id), *appointment_ids)

    async def add_officer(self, agency_id: str, officer_id: str) -> None:
        await self._redis.sadd(_agency_officers(agency_id), officer_id)

    async def officers(self, agency_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(_agency_officers(agency_id)))
