"""Waiting lists.

* ``{agency}``: ``waitlist`` (a hash of WaitlistEntry bytes by entry id); every change is a
  compare-and-set on the entry's bytes, so an answer, the hold's expiry and a leave never
  overwrite one another.
* ``{officer}``: ``waitlist-mine`` (a set of ``agency|entry`` the officer created).
* ``{waitlist}``: the held offers by expiry (``agency|entry`` scored by ms) and the expiry
  worker's lease.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import waitlist_pb2 as wpb
from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["WaitlistStore"]

TAG = "waitlist"
_HOLDS = keys("waitlist-holds", TAG)
_LEASE = keys("waitlist-lease", TAG)
# KEYS: 1 the agency's hash; ARGV: 1 entry id, 2 expected bytes ("" = absent), 3 new bytes
_CAS = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""
_LEASE_SCRIPT = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


def _entries(agency_id: str) -> str:
    return keys("waitlist", agency_id)


def _decode(raw: bytes) -> wpb.WaitlistEntry:
    entry = wpb.WaitlistEntry()
    entry.ParseFromString(raw)
    return entry


class WaitlistStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._cas = redis.register_script(_CAS)
        self._lease = redis.register_script(_LEASE_SCRIPT)

    async def agency_entries(self, agency_id: str) -> list[tuple[wpb.WaitlistEntry, bytes]]:
        raws = await self._redis.hvals(_entries(agency_id))
        return [(_decode(as_bytes(r)), as_bytes(r)) for r in raws]

    async def get(self, agency_id: str, entry_id: str) -> tuple[wpb.WaitlistEntry, bytes] | None:
        raw = await self._redis.hget(_entries(agency_id), entry_id)
        return None if raw is None else (_decode(as_bytes(raw)), as_bytes(raw))

    async def replace(self, entry: wpb.WaitlistEntry, expected: bytes) -> bytes | None:
        """Store ``entry`` if the stored bytes are still ``expected`` (b"": new); its bytes or None."""
        data = entry.SerializeToString(deterministic=True)
        done = await self._cas(keys=[_entries(entry.agency_id)], args=[entry.entry_id, expected, data])
        if not done:
            return None
        if not expected:
            await self._redis.sadd(
                keys("waitlist-mine", entry.officer_id), f"{entry.agency_id}|{entry.entry_id}"
            )
        return data

    async def officer_refs(self, officer_id: str) -> list[tuple[str, str]]:
        members = await self._redis.smembers(keys("waitlist-mine", officer_id))
        out = []
        for m in members:
            agency, _, entry = as_bytes(m).decode().partition("|")
            out.append((agency, entry))
        return out

    async def hold(self, agency_id: str, entry_id: str, until_ms: int) -> None:
        await self._redis.zadd(_HOLDS, {f"{agency_id}|{entry_id}": until_ms})

    async def unhold(self, agency_id: str, entry_id: str) -> None:
        await self._redis.zrem(_HOLDS, f"{agency_id}|{entry_id}")

    async def due_holds(self, until_ms: int, limit: int = 200) -> list[tuple[str, str]]:
        found = await self._redis.zrangebyscore(_HOLDS, "-inf", until_ms, start=0, num=limit)
        out = []
        for m in found:
            agency, _, entry = as_bytes(m).decode().partition("|")
            out.append((agency, entry))
        return out

    async def lease(self, holder: str, ttl_ms: int) -> bool:
        return bool(await self._lease(keys=[_LEASE], args=[holder, ttl_ms]))
