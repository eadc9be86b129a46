"""What roster-change conflict detection keeps: each conflict's reason and alternatives (in the
officer's slot, next to the officer's calendar) and which officers belong to an agency (so a
fatigue-policy change re-checks them).

A group seat has no per-officer flag on the shared appointment, so its record here *is* the
flag: ``flag`` writes it and its event once (HSETNX), ``clear`` removes it and writes its event
once (HDEL), each one script in the officer's slot with the officer-side outbox.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.keys import OfficerKeys, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import as_bytes

__all__ = ["ConflictStore"]

# KEYS: 1 conflicts hash, 2 outbox; ARGV: 1 appointment id, 2 record, 3-5 the outbox triple
_FLAG = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
outbox_add(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
return 1
"""
# KEYS: 1 conflicts hash, 2 outbox; ARGV: 1 appointment id, 2-4 the outbox triple
_CLEAR = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
outbox_add(KEYS[2], ARGV[2], ARGV[3], ARGV[4])
return 1
"""


def _conflicts(officer_id: str) -> str:
    return keys("conflicts", officer_id)


def _checked(officer_id: str) -> str:
    return keys("conflicts-checked", officer_id)


def _agency_officers(agency_id: str) -> str:
    return keys("agency-officers", agency_id)


class ConflictStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._flag = redis.register_script(outbox.LUA_PRELUDE + _FLAG)
        self._clear = redis.register_script(outbox.LUA_PRELUDE + _CLEAR)

    async def put(self, officer_id: str, appointment_id: str, conflict: pb.Conflict) -> None:
        await self._redis.hset(_conflicts(officer_id), appointment_id, conflict.SerializeToString())

    async def flag(
        self, officer_id: str, appointment_id: str, conflict: pb.Conflict, event: Envelope
    ) -> bool:
        """Record and announce a conflict once; False when it was already recorded."""
        k = OfficerKeys(officer_id)
        done = await self._flag(
            keys=[_conflicts(officer_id), k.outbox],
            args=[appointment_id, conflict.SerializeToString(), *outbox.script_args(event)],
        )
        if done:
            await self._relay.notify(officer_id)
        return bool(done)

    async def clear(self, officer_id: str, appointment_id: str, event: Envelope) -> bool:
        """Drop a recorded conflict and announce it once; False when there was none."""
        k = OfficerKeys(officer_id)
        done = await self._clear(
            keys=[_conflicts(officer_id), k.outbox], args=[appointment_id, *outbox.script_args(event)]
        )
        if done:
            await self._relay.notify(officer_id)
        return bool(done)

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

    async def checked(self, officer_id: str, roster_version: int, at_ms: int) -> None:
        await self._redis.hset(_checked(officer_id), mapping={"version": roster_version, "at": at_ms})

    async def last_checked(self, officer_id: str) -> tuple[int, int]:
        raw = await self._redis.hmget(_checked(officer_id), ["version", "at"])
        return (int(raw[0] or 0), int(raw[1] or 0))

    async def add_officer(self, agency_id: str, officer_id: str) -> None:
        await self._redis.sadd(_agency_officers(agency_id), officer_id)

    async def officers(self, agency_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(_agency_officers(agency_id)))
