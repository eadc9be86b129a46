"""Provider state in Redis, versioned, each change written together with its outbox event.

Keys of one provider share the `{provider_id}` hash tag, so the optimistic transaction
(WATCH/MULTI) is also valid on Redis Cluster:

* `availability:rules:{p}`       RuleSet message: canonical rules, time-off labels, version, updated_at
* `availability:busy:{p}`        ProviderRulesChanged holding only external_busy and busy_horizon
* `availability:ics:{p}`         the text of the last calendar import (re-expanded as time passes)
* `availability:deactivated:{p}` present once identity deactivated the provider
* `availability:profile:{p}`     the timezone of the provider's identity profile and its version

Calendar imports are found by scanning for `availability:ics:{*}` (hourly), not through an index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from tenfour.availability.v1 import rules_pb2
from tenfour_availability.adapters.messages import (
    busy_from_bytes,
    busy_to_message,
    rules_message,
    state_event,
)
from tenfour_availability.domain.state import ProviderState
from tenfour_shared.calendar import RuleSet
from tenfour_shared.errors import ConcurrentChange
from tenfour_shared.events import envelope, outbox
from tenfour_shared.events.catalog.availability import rule_set_from_proto
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import Keys, as_bytes

SERVICE = "availability"
keys = Keys(SERVICE)
Mutation = Callable[[ProviderState], ProviderState | None]

_NEWER_PROFILE = """
local stored = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if tonumber(ARGV[1]) < stored then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'timezone', ARGV[2])
return 1
"""


class RulesRepository:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay
        self._newer_profile = redis.register_script(_NEWER_PROFILE)

    @staticmethod
    def _keys(provider_id: str) -> tuple[str, str, str, str]:
        return (
            keys("rules", provider_id),
            keys("busy", provider_id),
            keys("deactivated", provider_id),
            keys("ics", provider_id),
        )

    async def get(self, provider_id: str, *, with_ics: bool = False) -> ProviderState:
        return await self._read(self._redis, provider_id, with_ics)

    async def _read(self, client: aioredis.Redis, provider_id: str, with_ics: bool) -> ProviderState:
        key_list = list(self._keys(provider_id))[: 4 if with_ics else 3]
        raw = await client.mget(key_list)
        rules_raw, busy_raw, deactivated = raw[0], raw[1], raw[2]
        state = ProviderState(provider_id, active=deactivated is None)
        if rules_raw is not None:
            rules, labels, updated_at = _decode_rules(as_bytes(rules_raw))
            state = replace(state, rules=rules, labels=labels, updated_at=updated_at)
        if busy_raw is not None:
            state = replace(state, busy=busy_from_bytes(as_bytes(busy_raw)))
        if with_ics and raw[3] is not None:
            state = replace(state, ics=as_bytes(raw[3]).decode("utf-8"))
        return state

    async def change(
        self, provider_id: str, mutate: Mutation, now: datetime, expected_version: int = 0
    ) -> ProviderState:
        """Apply ``mutate`` to the stored state, bump the version and stage the event, atomically.

        ``mutate`` returns None when there is nothing to change (then nothing is written) and may
        raise to refuse. A concurrent writer makes the transaction retry with the fresh state; a
        stale ``expected_version`` is ABORTED. A state with rules publishes one event per change.
        """
        all_keys = self._keys(provider_id)
        for _ in range(20):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(*all_keys)
                    current = await self._read(pipe, provider_id, with_ics=True)
                    if expected_version and expected_version != current.version:
                        raise ConcurrentChange(
                            f"rules changed meanwhile: expected version {expected_version}, "
                            f"stored {current.version}"
                        )
                    new = mutate(current)
                    if new is None:
                        return current
                    if new.rules is not None:
                        bumped = new.rules.model_copy(update={"version": current.version + 1})
                        new = replace(new, rules=bumped, updated_at=now)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    self._stage(pipe, current, new, now)
                    await pipe.execute()
                except WatchError:
                    continue
            if new.rules is not None:
                await self._relay.notify(provider_id)
            return new
        raise ConcurrentChange("too much concurrent editing of these rules; try again")

    def _stage(self, pipe: Pipeline, current: ProviderState, new: ProviderState, now: datetime) -> None:
        """Queue the writes from ``current`` to ``new``, and the event when there are rules."""
        rules_key, busy_key, deactivated_key, ics_key = self._keys(new.provider_id)
        if new.rules is not None:
            pipe.set(rules_key, rules_message(new).SerializeToString())
            event = envelope.build(state_event(new), subject=new.provider_id, when=now)
            outbox.stage(pipe, SERVICE, new.provider_id, event)
        if new.busy != current.busy:
            if new.busy is None:
                pipe.delete(busy_key)
            else:
                pipe.set(busy_key, busy_to_message(new.busy).SerializeToString())
        if new.ics != current.ics:
            if new.ics is None:
                pipe.delete(ics_key)
            else:
                pipe.set(ics_key, new.ics.encode("utf-8"))
        if not new.active:
            pipe.set(deactivated_key, b"1")

    async def ics(self, provider_id: str) -> str | None:
        raw = await self._redis.get(keys("ics", provider_id))
        return None if raw is None else as_bytes(raw).decode("utf-8")

    async def with_imports(self) -> list[str]:
        """Providers that have imported a calendar (found by key, so no index can drift)."""
        prefix = keys("ics") + ":{"
        found = set()
        async for key in self._redis.scan_iter(match=f"{prefix}*}}", count=1000):
            found.add(as_bytes(key).decode()[len(prefix) : -1])
        return sorted(found)

    async def remember_profile_zone(self, provider_id: str, timezone: str, version: int) -> bool:
        """Keep the zone of the newest profile version seen; False when this one was older."""
        result = await self._newer_profile(keys=[keys("profile", provider_id)], args=[version, timezone])
        return int(result) == 1

    async def profile_zone(self, provider_id: str) -> str | None:
        raw = await self._redis.hget(keys("profile", provider_id), "timezone")
        return None if raw is None else as_bytes(raw).decode()


@lru_cache(maxsize=512)
def _decode_rules(raw: bytes) -> tuple[RuleSet, tuple[str, ...], datetime | None]:
    """Stored bytes to domain values; cached, since every version's bytes are unique and immutable."""
    message = rules_pb2.RuleSet()
    message.ParseFromString(raw)
    updated_at = message.updated_at.ToDatetime(tzinfo=UTC) if message.HasField("updated_at") else None
    labels = tuple(t.label for t in message.time_off)
    return rule_set_from_proto(message), labels, updated_at
