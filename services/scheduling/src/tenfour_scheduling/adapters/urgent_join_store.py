"""An accepted urgent request until a human is in the room, in the ``{urgent}`` slot.

``accepted`` books the taker in (state ``accepted``, the appointment, a join deadline in the
``urgent-joining`` sorted set) and leaves the officer's queue entry: their place is kept by its
arrival number (``seq``), so a replaced provider puts them back where they were. ``joined``
(signaling's participant_joined of that provider) makes it ``connected``; ``left`` (they dropped)
gives them the same deadline again; ``ended`` (the session ended) closes it. ``replace`` puts an
overdue request back in the queue and writes its events, one script each.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.adapters.keys import SERVICE, keys
from tenfour_scheduling.adapters.urgent_store import (
    REQUEST_TTL_SECONDS,
    TAG,
    active_key,
    agencies_key,
    declined_key,
    joining_key,
    queue_key,
    request_key,
)
from tenfour_scheduling.domain.records import UrgentRequest
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["UrgentJoinStore"]

_JOINING = joining_key()

# KEYS: 1 request, 2 agency queue, 3 joining set, 4 outbox, 5 appointment -> request;
# ARGV: 1 request id, 2 appointment, 3-5 the outbox triple of urgent_assigned, 6 the taker,
#       7 provider, 8 join deadline ms, 9 now ms, 10 ttl s, 11 the provider's professional name
_ACCEPTED = """
local f = redis.call('HMGET', KEYS[1], 'state', 'taker')
if f[1] ~= 'accepting' or f[2] ~= ARGV[6] then return 0 end
outbox_add(KEYS[4], ARGV[3], ARGV[4], ARGV[5])
redis.call('HSET', KEYS[1], 'state', 'accepted', 'appointment', ARGV[2], 'provider_id', ARGV[7],
  'join_by_ms', ARGV[8], 'provider_name', ARGV[11])
redis.call('HSETNX', KEYS[1], 'first_accepted_ms', ARGV[9])
redis.call('HDEL', KEYS[1], 'taking_until')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[1])
redis.call('SET', KEYS[5], ARGV[1], 'EX', ARGV[10])
return 1
"""

# KEYS: 1 request, 2 joining set, 3 officer's active request, 4 outbox; ARGV: 1 request id,
#       2 participant, 3 now ms, 4-6 the outbox triple of urgent_connected (written on the first
#       join only)
_JOINED = """
local f = redis.call('HMGET', KEYS[1], 'state', 'provider_id', 'joined_ms')
if f[1] ~= 'accepted' or f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'connected')
redis.call('HDEL', KEYS[1], 'join_by_ms')
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
if f[3] then return 2 end
redis.call('HSET', KEYS[1], 'joined_ms', ARGV[3])
outbox_add(KEYS[4], ARGV[4], ARGV[5], ARGV[6])
return 1
"""

# KEYS: 1 request, 2 joining set; ARGV: 1 request id, 2 participant, 3 deadline ms
_LEFT = """
local f = redis.call('HMGET', KEYS[1], 'state', 'provider_id')
if f[1] ~= 'connected' or f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'accepted', 'join_by_ms', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
"""

# KEYS: 1 request, 2 joining set, 3 officer's active request; ARGV: 1 request id
_ENDED = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'accepted' and state ~= 'connected' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'ended')
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1
"""

# KEYS: 1 request, 2 agency queue, 3 agencies with queues, 4 joining set, 5 declined set,
#       6 outbox, 7 officer's active request; ARGV: 1 request id, 2 the provider replaced,
#       3 agency, 4 officer, 5 ttl s, 6-8 urgent_withdrawn triple, 9-11 urgent_offered triple
#       ('' = nobody left to re-offer: it widens on the worker's next pass)
_REPLACE = """
local f = redis.call('HMGET', KEYS[1], 'state', 'provider_id', 'prior_state', 'seq')
if f[1] ~= 'accepted' or f[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', f[3] or 'queued', 'widen_ms', 0)
redis.call('HDEL', KEYS[1], 'appointment', 'provider_id', 'provider_name', 'join_by_ms', 'taker')
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[2], tonumber(f[4] or '0'), ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('EXPIRE', KEYS[5], ARGV[5])
redis.call('SET', KEYS[7], ARGV[1], 'EX', ARGV[5])
outbox_add(KEYS[6], ARGV[6], ARGV[7], ARGV[8])
if ARGV[9] ~= '' then outbox_add(KEYS[6], ARGV[9], ARGV[10], ARGV[11]) end
return 1
"""


# KEYS: 1 request, 2 outbox; ARGV: 1-3 the outbox triple of urgent_wrapped_up
_WRAP_UP = """
local f = redis.call('HMGET', KEYS[1], 'joined_ms', 'wrapped_up')
if not f[1] then return 'not_joined' end
if f[2] then return 'already' end
redis.call('HSET', KEYS[1], 'wrapped_up', '1')
outbox_add(KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 'ok'
"""


def appointment_key(appointment_id: str) -> str:
    return keys("urgent-appt", TAG, appointment_id)


def _triple(event: Envelope | None) -> list[str | bytes]:
    return list(outbox.script_args(event)) if event is not None else ["", "", ""]


class UrgentJoinStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._accepted = redis.register_script(outbox.LUA_PRELUDE + _ACCEPTED)
        self._joined = redis.register_script(outbox.LUA_PRELUDE + _JOINED)
        self._left = redis.register_script(_LEFT)
        self._ended = redis.register_script(_ENDED)
        self._replace = redis.register_script(outbox.LUA_PRELUDE + _REPLACE)
        self._wrap_up = redis.register_script(outbox.LUA_PRELUDE + _WRAP_UP)

    async def accepted(
        self,
        r: UrgentRequest,
        appointment: Appointment,
        event: Envelope,
        taker: str,
        join_by_ms: int,
        now_ms: int,
        provider_name: str = "",
    ) -> bool:
        """The taker's session is booked: wait for them in the room. False when not theirs."""
        done = await self._accepted(
            keys=[
                request_key(r.request_id),
                queue_key(r.agency_id),
                _JOINING,
                outbox_key(SERVICE, TAG),
                appointment_key(appointment.appointment_id),
            ],
            args=[
                r.request_id,
                appointment.SerializeToString(),
                *outbox.script_args(event),
                taker,
                appointment.provider_id,
                join_by_ms,
                now_ms,
                REQUEST_TTL_SECONDS,
                provider_name,
            ],
        )
        if done:
            await self._relay.notify(TAG)
        return bool(done)

    async def request_of(self, appointment_id: str) -> str | None:
        raw = await self._redis.get(appointment_key(appointment_id))
        return None if raw is None else as_bytes(raw).decode()

    async def joined(self, r: UrgentRequest, participant_id: str, now_ms: int, event: Envelope) -> int:
        """1: the first time the provider joined (urgent_connected written); 2: again; 0: not them."""
        done = await self._joined(
            keys=[request_key(r.request_id), _JOINING, active_key(r.officer_id), outbox_key(SERVICE, TAG)],
            args=[r.request_id, participant_id, now_ms, *outbox.script_args(event)],
        )
        if done == 1:
            await self._relay.notify(TAG)
        return int(done)

    async def left(self, request_id: str, participant_id: str, deadline_ms: int) -> bool:
        done = await self._left(
            keys=[request_key(request_id), _JOINING], args=[request_id, participant_id, deadline_ms]
        )
        return bool(done)

    async def ended(self, r: UrgentRequest) -> bool:
        done = await self._ended(
            keys=[request_key(r.request_id), _JOINING, active_key(r.officer_id)], args=[r.request_id]
        )
        return bool(done)

    async def overdue(self, now_ms: int) -> list[str]:
        """Accepted requests whose provider is not in the room by their deadline."""
        found = await self._redis.zrangebyscore(_JOINING, "-inf", now_ms)
        return [as_bytes(m).decode() for m in found]

    async def forget(self, request_id: str) -> None:
        """No longer waited for (cancelled, ended, already replaced)."""
        await self._redis.zrem(_JOINING, request_id)

    async def replace(
        self, r: UrgentRequest, provider_id: str, withdrawn: Envelope, offered: Envelope | None
    ) -> bool:
        """Back in the queue at the officer's place, the provider left out from now on."""
        done = await self._replace(
            keys=[
                request_key(r.request_id),
                queue_key(r.agency_id),
                agencies_key(),
                _JOINING,
                declined_key(r.request_id),
                outbox_key(SERVICE, TAG),
                active_key(r.officer_id),
            ],
            args=[
                r.request_id,
                provider_id,
                r.agency_id,
                r.officer_id,
                REQUEST_TTL_SECONDS,
                *outbox.script_args(withdrawn),
                *_triple(offered),
            ],
        )
        if done:
            await self._relay.notify(TAG)
        return bool(done)

    async def wrap_up(self, r: UrgentRequest, event: Envelope) -> str:
        """'ok' (the event written), 'already' (once per request) or 'not_joined'."""
        raw = await self._wrap_up(
            keys=[request_key(r.request_id), outbox_key(SERVICE, TAG)], args=outbox.script_args(event)
        )
        if as_bytes(raw) == b"ok":
            await self._relay.notify(TAG)
        return as_bytes(raw).decode()
