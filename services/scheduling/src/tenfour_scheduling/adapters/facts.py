"""Everything one booking check or slot search reads, in a single round trip to Redis.

A check reads the officer's roster, policy, calendar, current provider, preferences and
idempotency record, and the snapshot of each provider concerned; one pipeline instead of a
command each keeps a booking attempt at one round trip before its scripts run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.calendars import parse_calendar, to_ms
from tenfour_scheduling.adapters.codec import AgencyPolicy, StoredPreferences, preferences_from_proto
from tenfour_scheduling.adapters.keys import AgencyKeys, OfficerKeys
from tenfour_scheduling.adapters.officer_store import decode_policy, decode_roster
from tenfour_scheduling.adapters.snapshots import (
    LONGEST_ENTRY_MS,
    SNAPSHOT_REPLIES,
    ProviderSnapshot,
    SnapshotReader,
    execute,
)
from tenfour_scheduling.domain.records import OfficerFacts, StoredRoster
from tenfour_shared.redis_store import as_bytes
from tenfour_shared.timeline import Interval

__all__ = ["OFFICER_REPLIES", "FactReader", "OfficerFacts", "officer_facts", "queue_officer", "read_facts"]

_DAY = timedelta(days=1)


class FactReader:
    def __init__(self, redis: aioredis.Redis, snapshots: SnapshotReader | None = None) -> None:
        self._redis = redis
        self._snapshots = snapshots or SnapshotReader()

    async def read(
        self,
        officer_id: str,
        agency_id: str,
        window: Interval,
        provider_ids: Sequence[str] = (),
        idempotency_key: str = "",
    ) -> tuple[OfficerFacts, list[ProviderSnapshot]]:
        return await read_facts(
            self._redis, self._snapshots, officer_id, agency_id, window, provider_ids, idempotency_key
        )

    async def duty(
        self, officer_id: str, agency_id: str
    ) -> tuple[StoredRoster | None, AgencyPolicy, StoredPreferences | None]:
        """The officer's roster and preferences and their agency's policy only (decoded once
        per version)."""
        officer = OfficerKeys(officer_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hmget(officer.roster, ["version", "data"])
            pipe.hmget(AgencyKeys(agency_id).policy, ["version", "data"])
            pipe.get(officer.preferences)
            roster, policy, preferences = await pipe.execute()
        return (
            _roster(roster),
            _policy(policy, agency_id),
            None if preferences is None else _preferences(as_bytes(preferences)),
        )


async def read_facts(
    redis: aioredis.Redis,
    snapshots: SnapshotReader,
    officer_id: str,
    agency_id: str,
    window: Interval,
    provider_ids: Sequence[str] = (),
    idempotency_key: str = "",
) -> tuple[OfficerFacts, list[ProviderSnapshot]]:
    around = window.expand(_DAY, _DAY)

    def fill(pipe: Any) -> None:
        queue_officer(pipe, officer_id, agency_id, around, idempotency_key)
        for pid in provider_ids:
            snapshots.queue(pipe, pid, around)

    replies = await execute(redis, fill)
    facts = officer_facts(replies[:OFFICER_REPLIES], officer_id, agency_id, idempotency_key)
    assert len(replies) == OFFICER_REPLIES + SNAPSHOT_REPLIES * len(provider_ids)
    return facts, await snapshots.build(redis, provider_ids, replies[OFFICER_REPLIES:])


OFFICER_REPLIES = 6


def queue_officer(pipe: Any, officer_id: str, agency_id: str, around: Interval, idempotency_key: str) -> None:
    """Queue the officer's side (OFFICER_REPLIES replies) on a pipeline."""
    k = OfficerKeys(officer_id)
    pipe.hmget(k.roster, ["version", "data"])
    pipe.hmget(AgencyKeys(agency_id).policy, ["version", "data"])
    pipe.zrangebyscore(
        k.calendar, to_ms(around.start) - LONGEST_ENTRY_MS, f"({to_ms(around.end)}", withscores=True
    )
    pipe.hget(k.state, "current_provider")
    pipe.get(k.preferences)
    pipe.hgetall(k.idempotency(idempotency_key or "none"))


def officer_facts(
    replies: Sequence[Any], officer_id: str, agency_id: str, idempotency_key: str
) -> OfficerFacts:
    roster, policy, calendar, current, preferences, idempotency = replies
    return OfficerFacts(
        officer_id=officer_id,
        agency_id=agency_id,
        roster=_roster(roster),
        policy=_policy(policy, agency_id),
        entries=parse_calendar(calendar),
        current_provider=None if current is None else as_bytes(current).decode(),
        preferences=None if preferences is None else _preferences(as_bytes(preferences)),
        idempotency={as_bytes(f).decode(): as_bytes(v) for f, v in idempotency.items()}
        if idempotency_key
        else {},
    )


def _roster(reply: Sequence[Any]) -> StoredRoster | None:
    """An HMGET version, data reply of the officer's roster."""
    return None if reply[1] is None else decode_roster(as_bytes(reply[1]), int(reply[0] or 0))


def _policy(reply: Sequence[Any], agency_id: str) -> AgencyPolicy:
    """An HMGET version, data reply of the agency's policy (the default when none is kept)."""
    if reply[1] is None:
        return AgencyPolicy.default(agency_id)
    return decode_policy(as_bytes(reply[1]), agency_id, int(reply[0] or 0))


@lru_cache(maxsize=2048)
def _preferences(raw: bytes) -> StoredPreferences:
    message = pb.Preferences()
    message.ParseFromString(raw)
    return preferences_from_proto(message)
