"""Scheduling's own copy of provider availability and profiles, fed by events.

Slot finding reads only this copy, so it keeps working on the last known state when the
availability or identity service is down. Versions only move forward.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.events.consumer import PROCESSED_TTL_SECONDS, processed_key
from tenfour_shared.redis_store import Keys, as_bytes, load_script

SERVICE = "scheduling"
keys = Keys(SERVICE)


class ProviderReadModel:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._apply_rules = load_script(redis, __package__ or "", "apply_provider_rules.lua")

    async def apply_rules(self, env: Envelope, event: ProviderRulesChanged) -> bool:
        """True when the event advanced the model (False: duplicate or stale version)."""
        pid = event.provider_id
        result = await self._apply_rules(
            keys=[keys("provider-rules", pid), processed_key(SERVICE, env), keys("applied", pid)],
            args=[event.version, event.SerializeToString(), PROCESSED_TTL_SECONDS],
        )
        await self._redis.sadd(keys("providers"), pid)
        return int(result) == 2

    async def rules(self, provider_id: str) -> ProviderRulesChanged | None:
        raw = await self._redis.hget(keys("provider-rules", provider_id), "data")
        if raw is None:
            return None
        event = ProviderRulesChanged()
        event.ParseFromString(raw)  # type: ignore[arg-type]  # decode_responses=False
        return event

    async def provider_ids(self) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(keys("providers")))
