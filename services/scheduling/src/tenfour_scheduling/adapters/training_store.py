"""Peer supporters' training records, the agencies' training policies, each peer's readiness
and the queue of lapse warnings and expiries.

* ``{peer_id}`` (the provider slot): the records (a hash of TrainingRecord by id) and
  ``readiness`` (ms of ``ready_until``; absent: no end; 0: never ready). The slot search reads
  ``readiness`` in the same script as the rest of the provider's snapshot; it is written in
  one script with the ``peer_readiness_changed`` event, only when it changes.
* ``{agency_id}``: the policy (TrainingPolicy bytes).
* ``{readiness}``: a sorted set of due warnings and expiries (``warn|peer|ms``,
  ``lapse|peer|ms``); taking one and writing its event is one script, so each goes out once.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour_scheduling.adapters.change_log import noted
from tenfour_scheduling.adapters.due_queue import DueQueue
from tenfour_scheduling.adapters.keys import SERVICE, STAMP_LUA, ProviderKeys, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["TrainingStore", "readiness_key"]

TAG = "readiness"

# KEYS: 1 readiness, 2 outbox, 3 the peer's stamp; ARGV: 1 new value ("" = no end), 2-4 the outbox triple
_SET_READINESS = """
local old = redis.call('GET', KEYS[1]) or ''
if old == ARGV[1] then return 0 end
if ARGV[1] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1]) end
outbox_add(KEYS[2], ARGV[2], ARGV[3], ARGV[4])
bump_stamp(KEYS[3])
return 1
"""


def readiness_key(peer_id: str) -> str:
    return keys("readiness", peer_id)


def _records_key(peer_id: str) -> str:
    return keys("training", peer_id)


def _policy_key(agency_id: str) -> str:
    return keys("training-policy", agency_id)


class TrainingStore(DueQueue):
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        super().__init__(redis, relay, name="readiness", tag=TAG)
        self._set_readiness = redis.register_script(outbox.LUA_PRELUDE + STAMP_LUA + _SET_READINESS)

    async def policy(self, agency_id: str) -> tpb.TrainingPolicy | None:
        raw = await self._redis.get(_policy_key(agency_id))
        if raw is None:
            return None
        out = tpb.TrainingPolicy()
        out.ParseFromString(as_bytes(raw))
        return out

    async def put_policy(self, policy: tpb.TrainingPolicy) -> None:
        await self._redis.set(_policy_key(policy.agency_id), policy.SerializeToString())

    async def records(self, peer_id: str) -> list[tpb.TrainingRecord]:
        out = []
        for raw in (await self._redis.hgetall(_records_key(peer_id))).values():
            record = tpb.TrainingRecord()
            record.ParseFromString(as_bytes(raw))
            out.append(record)
        return out

    async def put_record(self, record: tpb.TrainingRecord) -> None:
        await self._redis.hset(_records_key(record.peer_id), record.record_id, record.SerializeToString())

    async def remove_record(self, peer_id: str, record_id: str) -> bool:
        return bool(await self._redis.hdel(_records_key(peer_id), record_id))

    async def readiness(self, peer_id: str) -> int | None:
        """ms of ``ready_until``; None: no end."""
        raw = await self._redis.get(readiness_key(peer_id))
        return None if raw is None else int(as_bytes(raw))

    async def set_readiness(self, peer_id: str, until_ms: int | None, event: Envelope) -> bool:
        """Store the peer's readiness with its event; False (nothing written) when unchanged."""
        value = "" if until_ms is None else str(until_ms)
        done = await noted(
            self._redis,
            self._set_readiness,
            peer_id,
            keys=[readiness_key(peer_id), outbox_key(SERVICE, peer_id), ProviderKeys(peer_id).stamp],
            args=[value, *outbox.script_args(event)],
        )
        if done:
            await self._relay.notify(peer_id)
        return bool(done)
