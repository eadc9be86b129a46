"""Who an urgent request was offered to, and the single taker that may book it.

A take is one script on the request's hash: the first provider to take a queued or escalated
request moves it to ``accepting`` and every later take sees it taken, so
twenty concurrent accepts have exactly one winner. A take lasts ``TAKE_MS``: an instance that
dies between taking and booking does not hold the request forever.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_scheduling.adapters.keys import SERVICE
from tenfour_scheduling.adapters.urgent_store import (
    TAG,
    active_key,
    declined_key,
    joining_key,
    offered_key,
    queue_key,
    request_key,
)
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["TAKE_MS", "UrgentOfferStore"]

TAKE_MS = 30_000

# KEYS: 1 request, 2 offered set; ARGV: 1 taker, 2 take ttl ms
_TAKE = """
local f = redis.call('HMGET', KEYS[1], 'state', 'taking_until', 'prior_state', 'taker')
local state = f[1]
if not state then return 'missing' end
if state == 'cancelled' then return 'cancelled' end
if state == 'connected' or state == 'accepted' or state == 'ended' then return 'taken' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if state == 'accepting' then
  if tonumber(f[2] or '0') > now then return 'taken' end
  state = f[3] or 'queued'  -- a stale take (its instance died): the request is free again
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return 'not_offered' end
redis.call('HSET', KEYS[1], 'state', 'accepting', 'taker', ARGV[1], 'prior_state', state,
  'taking_until', now + tonumber(ARGV[2]))
return 'ok'
"""

# KEYS: 1 request, 2 declined set; ARGV: 1 taker, 2 '1' = the taker declines it from now on
_RELEASE = """
if ARGV[2] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) end
local f = redis.call('HMGET', KEYS[1], 'state', 'taker', 'prior_state')
if f[1] ~= 'accepting' or f[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', f[3] or 'queued')
redis.call('HDEL', KEYS[1], 'taker', 'taking_until')
return 1
"""

# KEYS: 1 request, 2 agency queue, 3 officer's active request, 4 outbox, 5 joining set;
# ARGV: 1 request id, 2-4 the outbox triple of its urgent_withdrawn event ('' = none)
_CANCEL = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state == 'cancelled' then return 'already' end
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'prior_state', state)
redis.call('HDEL', KEYS[1], 'taker', 'taking_until')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
if ARGV[2] ~= '' then outbox_add(KEYS[4], ARGV[2], ARGV[3], ARGV[4]) end
return state
"""


class UrgentOfferStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._take = redis.register_script(_TAKE)
        self._release = redis.register_script(_RELEASE)
        self._cancel = redis.register_script(outbox.LUA_PRELUDE + _CANCEL)

    async def take(self, request_id: str, taker: str) -> str:
        """'ok' for the one winner; else 'taken', 'cancelled', 'not_offered' or 'missing'."""
        raw = await self._take(keys=[request_key(request_id), offered_key(request_id)], args=[taker, TAKE_MS])
        return as_bytes(raw).decode()

    async def release(self, request_id: str, taker: str, decline: bool) -> bool:
        """Give a take back (the booking failed, or the taker declines it)."""
        raw = await self._release(
            keys=[request_key(request_id), declined_key(request_id)], args=[taker, "1" if decline else "0"]
        )
        return bool(raw)

    async def offered(self, request_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(offered_key(request_id)))

    async def declined(self, request_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(declined_key(request_id)))

    async def cancel(self, request_id: str, agency_id: str, officer_id: str, event: Envelope | None) -> str:
        """The state the request had ('already' when cancelled before, 'missing')."""
        raw = await self._cancel(
            keys=[
                request_key(request_id),
                queue_key(agency_id),
                active_key(officer_id),
                outbox_key(SERVICE, TAG),
                joining_key(),
            ],
            args=[request_id, *(outbox.script_args(event) if event is not None else ["", "", ""])],
        )
        if event is not None:
            await self._relay.notify(TAG)
        return as_bytes(raw).decode()
