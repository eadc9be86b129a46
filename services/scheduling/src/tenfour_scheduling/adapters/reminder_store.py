"""Scheduled reminders: one sorted set by delivery time, each member sent exactly once (removing
it and writing its ``reminder_due`` event are one script in the ``{reminders}`` slot)."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_scheduling.adapters.keys import SERVICE, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["ReminderStore"]

TAG = "reminders"
_DUE = keys("reminders-due", TAG)
_LEASE = keys("reminders-lease", TAG)

# KEYS: 1 due set, 2 outbox; ARGV: 1 member, 2-4 the outbox triple
_SEND = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
outbox_add(KEYS[2], ARGV[2], ARGV[3], ARGV[4])
return 1
"""
_LEASE_SCRIPT = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


class ReminderStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._send = redis.register_script(outbox.LUA_PRELUDE + _SEND)
        self._lease = redis.register_script(_LEASE_SCRIPT)

    async def schedule(self, items: dict[str, int]) -> None:
        """member -> delivery ms; members already there keep their time (idempotent)."""
        if items:
            await self._redis.zadd(_DUE, items, nx=True)

    async def due(self, until_ms: int, limit: int = 200) -> list[str]:
        found = await self._redis.zrangebyscore(_DUE, "-inf", until_ms, start=0, num=limit)
        return [as_bytes(m).decode() for m in found]

    async def drop(self, member: str) -> None:
        await self._redis.zrem(_DUE, member)

    async def send(self, member: str, event: Envelope) -> bool:
        done = await self._send(
            keys=[_DUE, outbox_key(SERVICE, TAG)], args=[member, *outbox.script_args(event)]
        )
        if done:
            await self._relay.notify(TAG)
        return bool(done)

    async def lease(self, holder: str, ttl_ms: int) -> bool:
        return bool(await self._lease(keys=[_LEASE], args=[holder, ttl_ms]))
