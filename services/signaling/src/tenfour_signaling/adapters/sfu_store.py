"""Which SFU instance holds a room, its secrets, and every participant's media legs, in Redis.

One hash per room (``{appointment_id}`` tag) so any signaling instance can serve the next
request and clean up after the others; a sorted set counts rooms per SFU instance
(least-loaded assignment). Secrets stay in Redis and in signaling, never on the wire.
"""

from __future__ import annotations

import json
from datetime import datetime

import redis.asyncio as aioredis

from tenfour_shared.redis_store import as_bytes
from tenfour_signaling.adapters.room_store import keys
from tenfour_signaling.domain.records import Leg, SfuRoom, publisher_field

__all__ = ["SfuStore"]

_ROOM = "room"


def _leg_json(leg: Leg) -> str:
    return json.dumps({"i": leg.instance, "s": leg.session, "h": leg.handle})


def _leg(raw: bytes) -> Leg:
    d = json.loads(raw)
    return Leg(str(d["i"]), int(d["s"]), int(d["h"]))


class SfuStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    @staticmethod
    def _key(appointment_id: str) -> str:
        return keys("sfu", appointment_id)

    async def room(self, appointment_id: str) -> SfuRoom | None:
        raw = await self._redis.hget(self._key(appointment_id), _ROOM)
        if raw is None:
            return None
        d = json.loads(as_bytes(raw))
        return SfuRoom(str(d["instance"]), str(d["room"]), str(d["secret"]), str(d["pin"]))

    async def claim_room(self, appointment_id: str, room: SfuRoom, expire_at: datetime) -> SfuRoom:
        """Record ``room`` unless another instance recorded one first; the room that counts."""
        key = self._key(appointment_id)
        value = json.dumps(
            {"instance": room.instance, "room": room.room, "secret": room.secret, "pin": room.pin}
        )
        if await self._redis.hsetnx(key, _ROOM, value):
            await self._redis.pexpireat(key, int(expire_at.timestamp() * 1000))
            await self._redis.zincrby(keys("sfu-load"), 1, room.instance)
            await self._redis.sadd(keys("sfu-rooms"), appointment_id)
            return room
        recorded = await self.room(appointment_id)
        assert recorded is not None
        return recorded

    async def replace_room(
        self, appointment_id: str, old: SfuRoom, new: SfuRoom, expire_at: datetime
    ) -> None:
        """Failover: the room now lives on ``new``; every leg on the old instance is gone."""
        key = self._key(appointment_id)
        value = json.dumps({"instance": new.instance, "room": new.room, "secret": new.secret, "pin": new.pin})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, _ROOM, value)
            pipe.pexpireat(key, int(expire_at.timestamp() * 1000))
            pipe.zincrby(keys("sfu-load"), -1, old.instance)
            pipe.zincrby(keys("sfu-load"), 1, new.instance)
            await pipe.execute()

    async def forget_room(self, appointment_id: str) -> tuple[SfuRoom | None, list[Leg]]:
        """Drop the record (the session ended); what was recorded, for cleaning up the SFU."""
        room = await self.room(appointment_id)
        legs = [
            _leg(as_bytes(v))
            for f, v in (await self._redis.hgetall(self._key(appointment_id))).items()
            if as_bytes(f) != _ROOM.encode()
        ]
        if room is not None and await self._redis.delete(self._key(appointment_id)):
            await self._redis.zincrby(keys("sfu-load"), -1, room.instance)
        await self._redis.srem(keys("sfu-rooms"), appointment_id)
        return room, legs

    async def rooms(self) -> list[str]:
        """Appointments with an SFU room (the failover watch walks them)."""
        return [as_bytes(r).decode() for r in await self._redis.smembers(keys("sfu-rooms"))]

    async def loads(self, instances: list[str]) -> dict[str, float]:
        scores = await self._redis.zmscore(keys("sfu-load"), instances)
        return {i: float(s or 0) for i, s in zip(instances, scores, strict=True)}

    async def swap_leg(self, appointment_id: str, field: str, leg: Leg) -> Leg | None:
        """Record ``leg`` under ``field``; the leg it replaces, to hang up."""
        key = self._key(appointment_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hget(key, field)
            pipe.hset(key, field, _leg_json(leg))
            old, _ = await pipe.execute()
        return None if old is None else _leg(as_bytes(old))

    async def leg(self, appointment_id: str, field: str) -> Leg | None:
        raw = await self._redis.hget(self._key(appointment_id), field)
        return None if raw is None else _leg(as_bytes(raw))

    async def take_legs(self, appointment_id: str, handle: str) -> list[Leg]:
        """Remove and return every leg of one participant (published and subscribed)."""
        key = self._key(appointment_id)
        mine = [
            as_bytes(f).decode()
            for f in await self._redis.hkeys(key)
            if as_bytes(f).decode() == publisher_field(handle)
            or as_bytes(f).decode().startswith(f"sub:{handle}:")
        ]
        if not mine:
            return []
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hmget(key, mine)
            pipe.hdel(key, *mine)
            values, _ = await pipe.execute()
        return [_leg(as_bytes(v)) for v in values if v is not None]
