"""Scheduling's own copy of provider availability and profiles, fed by events.

Slot finding and booking read only this copy, so they keep working on the last known state
when the availability or identity service is down. Versions only move forward. A snapshot
also carries the provider's calendar and, for peer supporters, their own roster and sessions,
with the versions a booking re-checks atomically (commit.lua).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis.asyncio as aioredis

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfile
from tenfour_scheduling.adapters.calendars import CalendarEntry, parse_calendar, to_ms
from tenfour_scheduling.adapters.keys import SERVICE, AgencyKeys, OfficerKeys, ProviderKeys, keys
from tenfour_scheduling.adapters.officer_store import StoredRoster, decode_roster
from tenfour_shared.calendar import CalendarError
from tenfour_shared.events.catalog.availability import ProviderAvailability, decode_rules_changed
from tenfour_shared.events.consumer import PROCESSED_TTL_SECONDS, processed_key
from tenfour_shared.redis_store import as_bytes, load_script
from tenfour_shared.timeline import Interval

__all__ = ["ProviderReadModel", "ProviderSnapshot"]

log = logging.getLogger("tenfour.scheduling")
LONGEST_ENTRY_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class ProviderSnapshot:
    provider_id: str
    rules_version: int
    availability: ProviderAvailability | None  # None: no (valid) rules yet
    profile_version: int
    profile: ProviderProfile | None  # None: no profile yet
    deactivated: bool
    roster_version: int  # the provider's own roster (peer supporters), 0 when none
    roster: StoredRoster | None
    bookings: tuple[CalendarEntry, ...]  # the provider's sessions near the window
    own_sessions: tuple[CalendarEntry, ...]  # a peer supporter's sessions as an officer

    @property
    def active(self) -> bool:
        return (
            not self.deactivated
            and self.availability is not None
            and self.availability.active
            and self.profile is not None
            and self.profile.active
        )


@lru_cache(maxsize=4096)
def _decode_rules(raw: bytes) -> ProviderAvailability | None:
    event = ProviderRulesChanged()
    event.ParseFromString(raw)
    try:
        return decode_rules_changed(event)
    except (CalendarError, ValueError):
        log.warning("unusable rules in the read model", extra={"provider_id": event.provider_id})
        return None


@lru_cache(maxsize=4096)
def _decode_profile(raw: bytes) -> ProviderProfile:
    profile = ProviderProfile()
    profile.ParseFromString(raw)
    return profile


def _version(raw: object) -> int:
    return int(as_bytes(raw)) if raw is not None else 0


class ProviderReadModel:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._apply_rules = load_script(redis, __package__ or "", "apply_provider_rules.lua")
        self._apply_profile = load_script(redis, __package__ or "", "apply_provider_profile.lua")

    async def apply_rules(self, env: Envelope, event: ProviderRulesChanged) -> bool:
        """True when the event advanced the model (False: duplicate or stale version)."""
        pid = event.provider_id
        k = ProviderKeys(pid)
        result = await self._apply_rules(
            keys=[k.rules, processed_key(SERVICE, env), k.applied],
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
            int(await self._apply_profile(keys=[k.profile], args=[version, profile.SerializeToString()])) == 1
        )
        stored = profile if newer else await self.profile(profile.provider_id)
        if stored is None:
            return newer
        for agency in stored.agency_ids:
            await self._redis.sadd(AgencyKeys(agency).providers, stored.provider_id)
        if newer and previous is not None:
            for agency in set(previous.agency_ids) - set(stored.agency_ids):
                await self._redis.srem(AgencyKeys(agency).providers, stored.provider_id)
        return newer

    async def deactivate(self, provider_id: str) -> None:
        """Identity deactivated the user: never bookable again as a provider (final)."""
        await self._redis.hset(ProviderKeys(provider_id).profile, "deactivated", "1")

    async def profile(self, provider_id: str) -> ProviderProfile | None:
        raw = await self._redis.hget(ProviderKeys(provider_id).profile, "data")
        return None if raw is None else _decode_profile(as_bytes(raw))

    async def rules(self, provider_id: str) -> ProviderRulesChanged | None:
        raw = await self._redis.hget(ProviderKeys(provider_id).rules, "data")
        if raw is None:
            return None
        event = ProviderRulesChanged()
        event.ParseFromString(as_bytes(raw))
        return event

    async def provider_ids(self) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(keys("providers")))

    async def agency_provider_ids(self, agency_id: str) -> list[str]:
        members = await self._redis.smembers(AgencyKeys(agency_id).providers)
        return sorted(as_bytes(m).decode() for m in members)

    async def snapshots(self, provider_ids: Sequence[str], window: Interval) -> list[ProviderSnapshot]:
        """Everything a search or a booking needs of these providers, in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for pid in provider_ids:
                queue_snapshot(pipe, pid, window)
            replies = await pipe.execute()
        return snapshots_from(provider_ids, replies)


SNAPSHOT_REPLIES = 5


def queue_snapshot(pipe: Any, provider_id: str, window: Interval) -> None:
    """Queue the SNAPSHOT_REPLIES commands that read one provider's snapshot."""
    lo, hi = to_ms(window.start) - LONGEST_ENTRY_MS, f"({to_ms(window.end)}"
    k = ProviderKeys(provider_id)
    pipe.hmget(k.rules, ["version", "data"])
    pipe.hmget(k.profile, ["version", "data", "deactivated"])
    pipe.hmget(k.roster, ["version", "data"])
    pipe.zrangebyscore(k.calendar, lo, hi, withscores=True)
    pipe.zrangebyscore(OfficerKeys(provider_id).calendar, lo, hi, withscores=True)


def snapshots_from(provider_ids: Sequence[str], replies: Sequence[Any]) -> list[ProviderSnapshot]:
    out = []
    for i, pid in enumerate(provider_ids):
        rules, profile, roster, calendar, own = replies[SNAPSHOT_REPLIES * i : SNAPSHOT_REPLIES * (i + 1)]
        out.append(
            ProviderSnapshot(
                provider_id=pid,
                rules_version=_version(rules[0]),
                availability=None if rules[1] is None else _decode_rules(as_bytes(rules[1])),
                profile_version=_version(profile[0]),
                profile=None if profile[1] is None else _decode_profile(as_bytes(profile[1])),
                deactivated=profile[2] is not None,
                roster_version=_version(roster[0]),
                roster=None if roster[1] is None else _roster(as_bytes(roster[1]), _version(roster[0])),
                bookings=parse_calendar(calendar),
                own_sessions=parse_calendar(own),
            )
        )
    return out


def _roster(raw: bytes, version: int) -> StoredRoster | None:
    try:
        return decode_roster(raw, version)
    except Exception:  # a stored roster is valid when written; never fail a search on one
        log.warning("unusable stored roster")
        return None
