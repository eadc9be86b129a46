"""Referrals (warm handoff).

* ``{agency}``: ``referrals`` (a hash of Referral bytes by id); every change is a
  compare-and-set on the referral's bytes, so two answers never overwrite one another.
* ``{officer}`` / ``{peer}``: ``referrals-of`` (a set of the ids they are part of).
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour_scheduling.adapters.keys import SERVICE, keys
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay, outbox_key
from tenfour_shared.redis_store import as_bytes

__all__ = ["ReferralStore"]

# KEYS: 1 the agency's hash, 2 the agency's outbox; ARGV: 1 id, 2 expected bytes ("" = absent),
# 3 new bytes, then the outbox triple of each event to write with it (none, one or more)
_CAS = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
for i = 4, #ARGV, 3 do outbox_add(KEYS[2], ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
return 1
"""


def _decode(raw: bytes) -> rpb.Referral:
    referral = rpb.Referral()
    referral.ParseFromString(raw)
    return referral


class ReferralStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._cas = redis.register_script(outbox.LUA_PRELUDE + _CAS)

    async def agency_referrals(self, agency_id: str) -> list[rpb.Referral]:
        return [_decode(as_bytes(r)) for r in await self._redis.hvals(keys("referrals", agency_id))]

    async def get(self, agency_id: str, referral_id: str) -> tuple[rpb.Referral, bytes] | None:
        raw = await self._redis.hget(keys("referrals", agency_id), referral_id)
        return None if raw is None else (_decode(as_bytes(raw)), as_bytes(raw))

    async def replace(self, referral: rpb.Referral, expected: bytes, *events: Envelope) -> bool:
        data = referral.SerializeToString(deterministic=True)
        triples: list[bytes | str] = [arg for event in events for arg in outbox.script_args(event)]
        done = await self._cas(
            keys=[keys("referrals", referral.agency_id), outbox_key(SERVICE, referral.agency_id)],
            args=[referral.referral_id, expected, data, *triples],
        )
        if done and events:
            await self._relay.notify(referral.agency_id)
        if done and not expected:
            for person in (referral.officer_id, referral.peer_id):
                await self._redis.sadd(
                    keys("referrals-of", person), f"{referral.agency_id}|{referral.referral_id}"
                )
        return bool(done)

    async def of_person(self, user_id: str) -> list[tuple[str, str]]:
        members = await self._redis.smembers(keys("referrals-of", user_id))
        out = []
        for m in members:
            agency, _, referral = as_bytes(m).decode().partition("|")
            out.append((agency, referral))
        return out
