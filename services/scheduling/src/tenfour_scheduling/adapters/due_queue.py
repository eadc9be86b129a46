"""A timed queue that sends each member exactly once: one sorted set by due time, and removing a
member and writing its event to the outbox are one script in the queue's slot. Reminders, licence
warnings and training-readiness warnings each keep one; a lease lets one worker drive it."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_scheduling.adapters.keys import SERVICE, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["DueQueue"]

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


class DueQueue:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay, *, name: str, tag: str) -> None:
        """Keys ``<name>-due`` and ``<name>-lease`` in the ``{tag}`` slot, with that slot's outbox."""
        self._redis = redis
        self._relay = relay
        self._tag = tag
        self._due_key = keys(f"{name}-due", tag)
        self._lease_key = keys(f"{name}-lease", tag)
        self._send_script = redis.register_script(outbox.LUA_PRELUDE + _SEND)
        self._lease_script = redis.register_script(_LEASE_SCRIPT)

    async def schedule(self, items: dict[str, int]) -> None:
        """member -> due ms; a member already queued keeps its time (idempotent)."""
        if items:
            await self._redis.zadd(self._due_key, items, nx=True)

    async def retime(self, items: dict[str, int]) -> int:
        """Only members still queued move: one already sent stays sent (XX)."""
        if not items:
            return 0
        moved = await self._redis.zadd(self._due_key, items, xx=True, ch=True)
        return int(moved or 0)  # ZADD with CH answers the count (a float only with INCR)

    async def due(self, until_ms: int, limit: int = 200) -> list[str]:
        found = await self._redis.zrangebyscore(self._due_key, "-inf", until_ms, start=0, num=limit)
        return [as_bytes(m).decode() for m in found]

    async def drop(self, member: str) -> None:
        await self._redis.zrem(self._due_key, member)

    async def send(self, member: str, event: Envelope) -> bool:
        done = await self._send_script(
            keys=[self._due_key, outbox_key(SERVICE, self._tag)], args=[member, *outbox.script_args(event)]
        )
        if done:
            await self._relay.notify(self._tag)
        return bool(done)

    async def lease(self, holder: str, ttl_ms: int) -> bool:
        return bool(await self._lease_script(keys=[self._lease_key], args=[holder, ttl_ms]))
