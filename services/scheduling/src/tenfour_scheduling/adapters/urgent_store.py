"""Urgent-session requests and their per-agency queues in Redis.

Every urgent key shares the ``{urgent}`` hash tag, so moving a request between states, its
queue entry and its escalation event are one atomic script, also on Redis Cluster. Urgent
requests are few (a crisis queue is short), so one slot holds them all.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.adapters.keys import SERVICE, keys
from tenfour_scheduling.domain.records import CONNECTED, ESCALATED, QUEUED, UrgentRequest
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["CONNECTED", "ESCALATED", "QUEUED", "UrgentRequest", "UrgentStore"]

TAG = "urgent"
REQUEST_TTL_SECONDS = 7 * 24 * 3600

# KEYS: 1 request, 2 agency queue, 3 agencies with queues, 4 officer's active request,
#       5 arrival counter (the queue's order)
# ARGV: 1 request id, 2 officer, 3 agency, 4 prefer peer, 5 queued ms, 6 escalate ms,
#       7 crisis line text, 8 ttl s, 9-11 the outbox triple of its urgent_offered event ('' = none),
#       12 the providers it is offered to, one per line, 13 widen ms, 14 tier
# KEYS[6]: outbox, KEYS[7]: the offered set
_ENQUEUE = """
local active = redis.call('GET', KEYS[4])
if active then return active end
if ARGV[9] ~= '' then outbox_add(KEYS[6], ARGV[9], ARGV[10], ARGV[11]) end
for p in string.gmatch(ARGV[12], '[^\\n]+') do redis.call('SADD', KEYS[7], p) end
redis.call('EXPIRE', KEYS[7], ARGV[8])
redis.call('HSET', KEYS[1], 'alerted', redis.call('SCARD', KEYS[7]))
redis.call('HSET', KEYS[1], 'officer_id', ARGV[2], 'agency_id', ARGV[3], 'prefer_peer', ARGV[4],
  'state', 'queued', 'queued_ms', ARGV[5], 'escalate_ms', ARGV[6], 'crisis_line_text', ARGV[7],
  'widen_ms', ARGV[13], 'tier', ARGV[14])
redis.call('EXPIRE', KEYS[1], ARGV[8])
local seq = redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[1], 'seq', seq)  -- the officer's place, kept when a provider is replaced
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[8])
return ARGV[1]
"""

# KEYS: 1 request, 2 outbox; ARGV: 1-3 the outbox triple
_ESCALATE = """
local f = redis.call('HMGET', KEYS[1], 'state', 'prior_state')
if f[1] == 'accepting' and f[2] == 'queued' then
  redis.call('HSET', KEYS[1], 'prior_state', 'escalated')  -- escalated once its take ends
elseif f[1] ~= 'queued' then return 0
else redis.call('HSET', KEYS[1], 'state', 'escalated') end
outbox_add(KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1
"""

# KEYS: 1 request, 2 offered set, 3 outbox; ARGV: 1 the providers newly offered it, one per
#       line, 2 next widen ms, 3-5 the outbox triple of their urgent_offered event ('' = none)
_WIDEN = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' and state ~= 'escalated' then return 0 end
for p in string.gmatch(ARGV[1], '[^\\n]+') do redis.call('SADD', KEYS[2], p) end
redis.call('HSET', KEYS[1], 'alerted', redis.call('SCARD', KEYS[2]), 'widen_ms', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'tier', '1')
  outbox_add(KEYS[3], ARGV[3], ARGV[4], ARGV[5])
end
return 1
"""

# KEYS: 1 request (never recreated once expired)
_WIDEN_NOW = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'widen_ms', 0) end
"""

# KEYS: 1 agency queue, 2 agencies with queues; ARGV: 1 agency
# (atomic, so an agency whose queue gains a request meanwhile stays listed)
_FORGET_IF_EMPTY = """
if redis.call('ZCARD', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end
return 0
"""

# KEYS: 1 lease; ARGV: 1 holder, 2 ttl ms
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


def request_key(request_id: str) -> str:
    return keys("urgent-req", TAG, request_id)


def offered_key(request_id: str) -> str:
    return keys("urgent-offered", TAG, request_id)


def queue_key(agency_id: str) -> str:
    return keys("urgent-queue", TAG, agency_id)


def active_key(officer_id: str) -> str:
    return keys("urgent-active", TAG, officer_id)


_AGENCIES = keys("urgent-agencies", TAG)
_JOINING = keys("urgent-joining", TAG)


def on_call_key(provider_id: str) -> str:
    return keys("urgent-oncall", TAG, provider_id)


def agencies_key() -> str:
    return _AGENCIES


def joining_key() -> str:
    """Accepted requests by the instant their provider must be in the room."""
    return _JOINING


def declined_key(request_id: str) -> str:
    return keys("urgent-declined", TAG, request_id)


_LEASE_KEY = keys("urgent-lease", TAG)
_SEQUENCE = keys("urgent-seq", TAG)


class UrgentStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._enqueue = redis.register_script(outbox.LUA_PRELUDE + _ENQUEUE)
        self._escalate = redis.register_script(outbox.LUA_PRELUDE + _ESCALATE)
        self._widen = redis.register_script(outbox.LUA_PRELUDE + _WIDEN)
        self._widen_now = redis.register_script(_WIDEN_NOW)
        self._lease = redis.register_script(_LEASE)
        self._forget = redis.register_script(_FORGET_IF_EMPTY)

    async def enqueue(
        self,
        request_id: str,
        officer_id: str,
        agency_id: str,
        prefer_peer: bool,
        queued_ms: int,
        escalate_ms: int,
        crisis_line_text: str,
        event: Envelope | None = None,
        offered_to: tuple[str, ...] = (),
        widen_ms: int = 0,
        tier: int = 0,
    ) -> str:
        """Queue the request (and its urgent_offered event); the officer's already active request
        id when there is one."""
        raw = await self._enqueue(
            keys=[
                request_key(request_id),
                queue_key(agency_id),
                _AGENCIES,
                active_key(officer_id),
                _SEQUENCE,
                outbox_key(SERVICE, TAG),
                offered_key(request_id),
            ],
            args=[
                request_id,
                officer_id,
                agency_id,
                "1" if prefer_peer else "0",
                queued_ms,
                escalate_ms,
                crisis_line_text,
                REQUEST_TTL_SECONDS,
                *(outbox.script_args(event) if event is not None else ["", "", ""]),
                "\n".join(offered_to),
                widen_ms,
                tier,
            ],
        )
        if event is not None:
            await self._relay.notify(TAG)
        return as_bytes(raw).decode()

    async def publish(self, event: Envelope) -> None:
        """An urgent event that changes no request (a provider declined an offer)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            outbox.stage(pipe, SERVICE, TAG, event)
            await pipe.execute()
        await self._relay.notify(TAG)

    async def active(self, officer_id: str) -> str | None:
        raw = await self._redis.get(active_key(officer_id))
        return None if raw is None else as_bytes(raw).decode()

    async def get(self, request_id: str) -> UrgentRequest | None:
        raw = await self._redis.hgetall(request_key(request_id))
        if not raw:
            return None
        f = {as_bytes(k).decode(): as_bytes(v) for k, v in raw.items()}
        appointment = None
        if f.get("appointment"):
            appointment = Appointment()
            appointment.ParseFromString(f["appointment"])
        return UrgentRequest(
            request_id=request_id,
            officer_id=f.get("officer_id", b"").decode(),
            agency_id=f.get("agency_id", b"").decode(),
            prefer_peer=f.get("prefer_peer") == b"1",
            state=f.get("state", b"").decode(),
            queued_ms=int(f.get("queued_ms", b"0")),
            escalate_ms=int(f.get("escalate_ms", b"0")),
            crisis_line_text=f.get("crisis_line_text", b"").decode(),
            appointment=appointment,
            alerted=int(f.get("alerted", b"0")),
            widen_ms=int(f.get("widen_ms", b"0")),
            tier=int(f.get("tier", b"0")),
            first_accepted_ms=int(f.get("first_accepted_ms", b"0")),
            provider_name=f.get("provider_name", b"").decode(),
        )

    async def position(self, agency_id: str, request_id: str) -> int:
        """1-based place in the agency's queue; 0 when not queued."""
        rank: object = await self._redis.zrank(queue_key(agency_id), request_id)
        return int(rank) + 1 if isinstance(rank, int) else 0

    async def agencies(self) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(_AGENCIES))

    async def queued(self, agency_id: str) -> list[str]:
        found = await self._redis.zrange(queue_key(agency_id), 0, -1)
        if not found:
            await self._forget(keys=[queue_key(agency_id), _AGENCIES], args=[agency_id])
        return [as_bytes(m).decode() for m in found]

    async def escalate(self, request_id: str, event: Envelope) -> bool:
        done = await self._escalate(
            keys=[request_key(request_id), outbox_key(SERVICE, TAG)], args=outbox.script_args(event)
        )
        if done:
            await self._relay.notify(TAG)
        return bool(done)

    async def widen(
        self, request_id: str, provider_ids: list[str], event: Envelope | None, next_ms: int
    ) -> bool:
        """Offer a waiting request to more providers (with their urgent_offered event), and set
        when to look again; False when it is no longer waiting."""
        done = await self._widen(
            keys=[request_key(request_id), offered_key(request_id), outbox_key(SERVICE, TAG)],
            args=[
                "\n".join(provider_ids),
                next_ms,
                *(outbox.script_args(event) if event is not None else ["", "", ""]),
            ],
        )
        if done and event is not None:
            await self._relay.notify(TAG)
        return bool(done)

    async def widen_now(self, request_id: str) -> None:
        """Everyone offered it declined: the worker widens it on its next pass."""
        await self._widen_now(keys=[request_key(request_id)])

    async def set_on_call(self, provider_id: str, mode: str, ttl_seconds: int) -> None:
        """A provider's switch ("on" or "off" for ttl_seconds; "hours": back to their hours)."""
        if mode == "hours":
            await self._redis.delete(on_call_key(provider_id))
        else:
            await self._redis.set(on_call_key(provider_id), mode, ex=ttl_seconds)

    async def on_call(self, provider_id: str) -> tuple[str, int]:
        """The switch and its seconds left ("hours", 0 when not set)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(on_call_key(provider_id))
            pipe.ttl(on_call_key(provider_id))
            raw, ttl = await pipe.execute()
        return ("hours", 0) if raw is None else (as_bytes(raw).decode(), max(0, int(ttl)))

    async def on_call_modes(self, provider_ids: list[str]) -> dict[str, str]:
        if not provider_ids:
            return {}
        found = await self._redis.mget([on_call_key(p) for p in provider_ids])
        return {p: as_bytes(v).decode() for p, v in zip(provider_ids, found, strict=True) if v is not None}

    async def lease(self, holder: str, ttl_ms: int) -> bool:
        """Take or renew the escalation worker's lease (one worker at a time)."""
        return bool(await self._lease(keys=[_LEASE_KEY], args=[holder, ttl_ms]))
