"""Scheduling's own copy of provider availability and profiles, fed by events.

Slot finding and booking read only this copy (adapters/snapshots.py), so they keep working on
the last known state when the availability or identity service is down. Versions only move
forward: an older or repeated event changes nothing.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile
from tenfour_scheduling.adapters.change_log import noted, queue_note
from tenfour_scheduling.adapters.keys import SERVICE, STAMP_LUA, AgencyKeys, ProviderKeys, keys
from tenfour_shared.events.consumer import PROCESSED_TTL_SECONDS, processed_key
from tenfour_shared.redis_store import as_bytes, load_script

__all__ = ["ProviderReadModel"]

# KEYS: 1 profile hash, 2 the provider's stamp
_DEACTIVATE = """
redis.call('HSET', KEYS[1], 'deactivated', '1')
bump_stamp(KEYS[2])
"""


class ProviderReadModel:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._apply_rules = load_script(redis, __package__ or "", "apply_provider_rules.lua", STAMP_LUA)
        self._apply_profile = load_script(redis, __package__ or "", "apply_provider_profile.lua", STAMP_LUA)
        self._deactivate = redis.register_script(STAMP_LUA + _DEACTIVATE)

    async def apply_rules(self, env: Envelope, event: ProviderRulesChanged) -> bool:
        """True when the event advanced the model (False: duplicate or stale version)."""
        pid = event.provider_id
        k = ProviderKeys(pid)
        result = await noted(
            self._redis,
            self._apply_rules,
            pid,
            keys=[k.rules, processed_key(SERVICE, env), k.applied, k.stamp],
            args=[event.version, event.SerializeToString(), PROCESSED_TTL_SECONDS],
        )
        await self._redis.sadd(keys("providers"), pid)
        return int(result) == 2

    async def apply_profile(self, profile: ProviderProfile, version: int) -> bool:
        """Keep the newest profile; the agency indexes follow the stored (newest) one.

        The indexes are hints (a search re-checks each profile), so adding is repeated on every
        delivery and removal is best effort: nothing is lost if a delivery stops in between.
        """
        k = ProviderKeys(profile.provider_id)
        previous = await self.profile(profile.provider_id)
        newer = (
            int(
                await self._apply_profile(
                    keys=[k.profile, k.stamp], args=[version, profile.SerializeToString()]
                )
            )
            == 1
        )
        stored = profile if newer else await self.profile(profile.provider_id)
        if stored is None:
            return newer
        async with self._redis.pipeline(transaction=False) as pipe:
            for agency in stored.agency_ids:
                pipe.sadd(AgencyKeys(agency).providers, stored.provider_id)
            if newer and previous is not None:
                for agency in set(previous.agency_ids) - set(stored.agency_ids):
                    pipe.srem(AgencyKeys(agency).providers, stored.provider_id)
            # Noted after the sets: a search that reads the note reads the sets as written.
            queue_note(pipe, stored.provider_id, membership=True)
            await pipe.execute()
        return newer

    async def deactivated(self, provider_id: str) -> bool:
        return await self._redis.hget(ProviderKeys(provider_id).profile, "deactivated") is not None

    async def deactivate(self, provider_id: str) -> None:
        """Identity deactivated the user: never bookable again as a provider (final)."""
        k = ProviderKeys(provider_id)
        await noted(self._redis, self._deactivate, provider_id, keys=[k.profile, k.stamp], args=[])

    async def profile(self, provider_id: str) -> ProviderProfile | None:
        raw = await self._redis.hget(ProviderKeys(provider_id).profile, "data")
        if raw is None:
            return None
        profile = ProviderProfile()
        profile.ParseFromString(as_bytes(raw))
        return profile

    async def agency_provider_ids(self, agency_id: str) -> list[str]:
        members = await self._redis.smembers(AgencyKeys(agency_id).providers)
        return sorted(as_bytes(m).decode() for m in members)
