"""Rule sets in Redis, versioned, each change written together with its outbox event.

Keys of one provider share the `{provider_id}` hash tag, so the optimistic transaction
(WATCH/MULTI) is also valid on Redis Cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from tenfour.availability.v1.rules_pb2 import RuleSet
from tenfour.common.v1.common_pb2 import TimeRange
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour_shared.errors import Aborted
from tenfour_shared.events import envelope, outbox
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import Keys

SERVICE = "availability"
keys = Keys(SERVICE)


class RulesRepository:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay

    async def get(self, provider_id: str) -> RuleSet | None:
        raw = await self._redis.get(keys("rules", provider_id))
        if raw is None:
            return None
        rules = RuleSet()
        rules.ParseFromString(raw)  # type: ignore[arg-type]  # decode_responses=False
        return rules

    async def get_busy(self, provider_id: str) -> list[TimeRange]:
        raw = await self._redis.get(keys("busy", provider_id))
        if raw is None:
            return []
        event = ProviderRulesChanged()
        event.ParseFromString(raw)  # type: ignore[arg-type]  # decode_responses=False
        return list(event.external_busy)

    async def save(
        self,
        provider_id: str,
        update: Callable[[RuleSet | None], RuleSet],
        busy: list[TimeRange] | None = None,
        expected_version: int = 0,
    ) -> RuleSet:
        """Apply `update` to the stored rules, bump the version and stage the event, atomically.

        `busy` replaces the imported external busy time when given. A concurrent writer makes
        the transaction retry with the fresh state; a stale `expected_version` is ABORTED.
        """
        rules_key, busy_key = keys("rules", provider_id), keys("busy", provider_id)
        for _ in range(20):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(rules_key, busy_key)
                    current = await self.get(provider_id)
                    current_version = current.version if current else 0
                    if expected_version and expected_version != current_version:
                        raise Aborted(
                            f"rules changed meanwhile: expected version {expected_version}, "
                            f"stored {current_version}"
                        )
                    new = update(current)
                    new.provider_id = provider_id
                    new.version = current_version + 1
                    new.updated_at.FromDatetime(datetime.now(UTC))
                    busy_now = busy if busy is not None else await self.get_busy(provider_id)
                    payload = ProviderRulesChanged(
                        provider_id=provider_id, version=new.version, rules=new, external_busy=busy_now
                    )
                    env = envelope.build(payload, subject=provider_id)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(rules_key, new.SerializeToString())
                    if busy is not None:
                        pipe.set(busy_key, ProviderRulesChanged(external_busy=busy).SerializeToString())
                    outbox.stage(pipe, SERVICE, provider_id, env)
                    await pipe.execute()
                except WatchError:
                    continue
            await self._relay.notify(provider_id)
            return new
        raise Aborted("too much concurrent editing of these rules; try again")
