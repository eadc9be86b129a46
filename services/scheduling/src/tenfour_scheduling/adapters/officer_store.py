"""Rosters, preferences and agency policies in Redis, kept as their canonical messages.

A roster or policy change and its event are one compare-and-set script (put_versioned.lua) on
keys that share the officer's (or agency's) hash tag; a refused change writes nothing.
"""

from __future__ import annotations

from functools import lru_cache

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.change_log import noted
from tenfour_scheduling.adapters.codec import (
    AgencyPolicy,
    StoredPreferences,
    policy_from_proto,
    preferences_from_proto,
    roster_from_proto,
)
from tenfour_scheduling.adapters.keys import STAMP_LUA, AgencyKeys, OfficerKeys
from tenfour_scheduling.domain.records import StoredRoster
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import as_bytes, load_script

__all__ = ["OfficerStore", "StoredRoster", "decode_policy", "decode_roster"]


@lru_cache(maxsize=2048)
def decode_roster(raw: bytes, version: int) -> StoredRoster:
    """Stored bytes to values; cached because every version's bytes are immutable."""
    message = pb.Roster()
    message.ParseFromString(raw)
    message.version = version
    return StoredRoster(message, roster_from_proto(message))


@lru_cache(maxsize=512)
def decode_policy(raw: bytes, agency_id: str, version: int) -> AgencyPolicy:
    message = pb.FatiguePolicy()
    message.ParseFromString(raw)
    return policy_from_proto(message, agency_id, version)


# KEYS: 1 preferences, 2 the officer's outbox; ARGV: 1 bytes, 2-4 the outbox triple ("" = none)
_PUT_PREFERENCES = """
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then outbox_add(KEYS[2], ARGV[2], ARGV[3], ARGV[4]) end
return 1
"""


class OfficerStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._put = load_script(redis, __package__ or "", "put_versioned.lua", outbox.LUA_PRELUDE + STAMP_LUA)
        self._put_preferences = redis.register_script(outbox.LUA_PRELUDE + _PUT_PREFERENCES)

    async def roster(self, officer_id: str) -> StoredRoster | None:
        version, raw = await self._redis.hmget(OfficerKeys(officer_id).roster, ["version", "data"])
        if raw is None:
            return None
        return decode_roster(as_bytes(raw), int(version or 0))

    async def put_roster(
        self, officer_id: str, message: pb.Roster, expected: int, agency_id: str, event: Envelope
    ) -> bool:
        """False when the stored version is no longer ``expected`` (nothing written)."""
        k = OfficerKeys(officer_id)
        stored = pb.Roster()
        stored.CopyFrom(message)
        stored.ClearField("version")
        reply = await noted(
            self._redis,
            self._put,
            officer_id,
            keys=[k.roster, k.outbox, k.stamp],  # a peer supporter's roster is part of their offer
            args=[expected, stored.SerializeToString(), *outbox.script_args(event), "agency", agency_id],
        )
        if as_bytes(reply[0]) != b"ok":
            return False
        await self._relay.notify(k.tag)
        return True

    async def preferences(self, officer_id: str) -> StoredPreferences | None:
        raw = await self._redis.get(OfficerKeys(officer_id).preferences)
        if raw is None:
            return None
        message = pb.Preferences()
        message.ParseFromString(as_bytes(raw))
        return preferences_from_proto(message)

    async def put_preferences(
        self, officer_id: str, message: pb.Preferences, event: Envelope | None = None
    ) -> None:
        """The preferences, and with them (same step) the event that re-checks their sessions."""
        k = OfficerKeys(officer_id)
        triple: list[bytes | str] = outbox.script_args(event) if event is not None else ["", "", ""]
        await self._put_preferences(
            keys=[k.preferences, k.outbox], args=[message.SerializeToString(), *triple]
        )
        if event is not None:
            await self._relay.notify(k.tag)

    async def policy(self, agency_id: str) -> AgencyPolicy:
        version, raw = await self._redis.hmget(AgencyKeys(agency_id).policy, ["version", "data"])
        if raw is None:
            return AgencyPolicy.default(agency_id)
        return decode_policy(as_bytes(raw), agency_id, int(version or 0))

    async def put_policy(
        self, agency_id: str, message: pb.FatiguePolicy, expected: int, event: Envelope
    ) -> bool:
        k = AgencyKeys(agency_id)
        reply = await self._put(
            keys=[k.policy, k.outbox],
            args=[expected, message.SerializeToString(), *outbox.script_args(event)],
        )
        if as_bytes(reply[0]) != b"ok":
            return False
        await self._relay.notify(k.tag)
        return True

    async def current_provider(self, officer_id: str) -> str | None:
        raw = await self._redis.hget(OfficerKeys(officer_id).state, "current_provider")
        return None if raw is None else as_bytes(raw).decode()

    async def mark_deactivated(self, user_id: str) -> None:
        await self._redis.hset(OfficerKeys(user_id).state, "deactivated", "1")
