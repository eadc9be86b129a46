"""What a search or a booking knows of a provider: read-model state, calendar and versions.

Decoded rules, profiles and rosters are kept in process per provider and version (each
version's content is immutable), so a read normally transfers only versions and calendars;
the data of a version not yet decoded is fetched in a second round trip.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.identity_events_pb2 import ProviderProfile
from tenfour_scheduling.adapters.calendars import parse_calendar, to_ms
from tenfour_scheduling.adapters.keys import ProviderKeys
from tenfour_scheduling.adapters.licence_store import decode_licences, licences_key
from tenfour_scheduling.adapters.officer_store import StoredRoster, decode_roster
from tenfour_scheduling.adapters.training_store import readiness_key
from tenfour_scheduling.domain.licensure import Licence
from tenfour_scheduling.domain.records import ProviderSnapshot, from_ms
from tenfour_shared.calendar import CalendarError
from tenfour_shared.events.catalog.availability import ProviderAvailability, decode_rules_changed
from tenfour_shared.redis_store import as_bytes
from tenfour_shared.timeline import Interval

__all__ = ["LONGEST_ENTRY_MS", "SNAPSHOT_REPLIES", "ProviderSnapshot", "SnapshotReader", "execute"]

log = logging.getLogger("tenfour.scheduling")
LONGEST_ENTRY_MS = 24 * 3600 * 1000  # no calendar entry is longer: bounds every range scan
SNAPSHOT_REPLIES = 1
# Versions of the rules, profile (and deactivation) and roster, both calendars in range, and
# a peer's training readiness (ms of ready_until; nil: no end), and the provider's stamp.
_READ = AsyncScript(
    None,  # type: ignore[arg-type]  # loaded by the pipeline it is queued on
    b"""
return {
  redis.call('HGET', KEYS[1], 'version'),
  redis.call('HMGET', KEYS[2], 'version', 'deactivated'),
  redis.call('HGET', KEYS[3], 'version'),
  redis.call('ZRANGEBYSCORE', KEYS[4], ARGV[1], ARGV[2], 'WITHSCORES'),
  redis.call('ZRANGEBYSCORE', KEYS[5], ARGV[1], ARGV[2], 'WITHSCORES'),
  redis.call('GET', KEYS[6]),
  redis.call('HVALS', KEYS[7]),
  redis.call('GET', KEYS[8]),
}
""",
)


def _pairs(flat: Sequence[Any]) -> list[tuple[Any, Any]]:
    """A script's flat WITHSCORES reply as (member, score) pairs."""
    return list(zip(flat[::2], flat[1::2], strict=True))


def _rules(raw: bytes) -> ProviderAvailability | None:
    event = ProviderRulesChanged()
    event.ParseFromString(raw)
    try:
        return decode_rules_changed(event)
    except (CalendarError, ValueError):
        log.warning("unusable rules in the read model", extra={"provider_id": event.provider_id})
        return None


def _profile(raw: bytes) -> ProviderProfile:
    profile = ProviderProfile()
    profile.ParseFromString(raw)
    return profile


def _roster(raw: bytes, version: int) -> StoredRoster | None:
    try:
        return decode_roster(raw, version)
    except Exception:  # valid when written; never fail a search on one stored roster
        log.warning("unusable stored roster")
        return None


def _version(raw: object) -> int:
    return int(as_bytes(raw)) if raw is not None else 0


class _Decoded:
    """The newest decoded value per provider, with its version."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[int, Any]] = {}

    def get(self, provider_id: str, version: int) -> tuple[bool, Any]:
        hit = self.items.get(provider_id)
        return (True, hit[1]) if hit is not None and hit[0] == version else (False, None)

    def resolve(self, provider_id: str, version: int) -> tuple[int, Any]:
        """The value at ``version``, or a newer one fetched meanwhile (with its version)."""
        hit = self.items.get(provider_id)
        if hit is not None and hit[0] >= version:
            return hit
        return version, None

    def put(self, provider_id: str, version: int, value: Any) -> None:
        current = self.items.get(provider_id)
        if current is None or current[0] <= version:
            self.items[provider_id] = (version, value)


async def execute(redis: aioredis.Redis, fill: Callable[[Any], None]) -> list[Any]:
    """Run a pipeline ``fill`` queues snapshot reads on, loading the script if Redis lacks it."""
    for attempt in (1, 2):
        async with redis.pipeline(transaction=False) as pipe:
            fill(pipe)
            try:
                return list(await pipe.execute())
            except NoScriptError:
                if attempt == 2:
                    raise
                await redis.script_load(_READ.script)
    raise AssertionError("unreachable")


class SnapshotReader:
    def __init__(self) -> None:
        self._rules = _Decoded()
        self._profiles = _Decoded()
        self._rosters = _Decoded()

    @staticmethod
    def stamps(replies: Sequence[Any]) -> list[bytes]:
        """The provider stamps in queued replies, as read with the rest (b"" when unset)."""
        return [b"" if len(r) < 8 or r[7] is None else as_bytes(r[7]) for r in replies]

    def queue(self, pipe: Any, provider_id: str, window: Interval) -> None:
        """Queue one provider's read (SNAPSHOT_REPLIES reply) on a pipeline: one script over
        the provider's keys (they share its hash tag), as redis-py's per-command cost, not
        Redis, dominated a search that read them as five commands."""
        lo, hi = to_ms(window.start) - LONGEST_ENTRY_MS, f"({to_ms(window.end)}"
        k = ProviderKeys(provider_id)
        # EVALSHA without registering the script on the pipeline: a pipeline that knows of a
        # script asks SCRIPT EXISTS first, a round trip every time; ``execute`` loads it only
        # when Redis says it lacks it.
        pipe.evalsha(
            _READ.sha,
            8,
            k.rules,
            k.profile,
            k.roster,
            k.calendar,
            k.officer_calendar,
            readiness_key(provider_id),
            licences_key(provider_id),
            k.stamp,
            lo,
            hi,
        )

    async def build(
        self, redis: aioredis.Redis, provider_ids: Sequence[str], replies: Sequence[Any]
    ) -> list[ProviderSnapshot]:
        """Snapshots from the queued replies, decoding (and first fetching) unseen versions."""
        rows = [(r[0], r[1], r[2], _pairs(r[3]), _pairs(r[4])) for r in replies]
        ready = [None if len(r) < 6 or r[5] is None else from_ms(int(as_bytes(r[5]))) for r in replies]
        licensed = [_licences(r[6]) if len(r) > 6 else () for r in replies]
        wanted: list[tuple[str, str, _Decoded]] = []
        for pid, (rules, profile, roster, _, _) in zip(provider_ids, rows, strict=True):
            k = ProviderKeys(pid)
            for key, raw, cache in (
                (k.rules, rules, self._rules),
                (k.profile, profile[0], self._profiles),
                (k.roster, roster, self._rosters),
            ):
                if raw is not None and not cache.get(pid, _version(raw))[0]:
                    wanted.append((pid, key, cache))
        if wanted:
            await self._fetch(redis, wanted)
        out = []
        for pid, (rules, profile, roster, calendar, own), until, held in zip(
            provider_ids, rows, ready, licensed, strict=True
        ):
            rules_version, availability = self._rules.resolve(pid, _version(rules))
            profile_version, decoded = self._profiles.resolve(pid, _version(profile[0]))
            roster_version, stored = self._rosters.resolve(pid, _version(roster))
            out.append(
                ProviderSnapshot(
                    provider_id=pid,
                    rules_version=rules_version,
                    availability=availability,
                    profile_version=profile_version,
                    profile=decoded,
                    deactivated=profile[1] is not None,
                    roster_version=roster_version,
                    roster=stored,
                    bookings=parse_calendar(calendar),
                    own_sessions=parse_calendar(own),
                    ready_until=until,
                    licences=held,
                )
            )
        return out

    async def _fetch(self, redis: aioredis.Redis, wanted: list[tuple[str, str, _Decoded]]) -> None:
        async with redis.pipeline(transaction=False) as pipe:
            for _, key, _ in wanted:
                pipe.hmget(key, ["version", "data"])
            replies = await pipe.execute()
        for (pid, _, cache), (version, raw) in zip(wanted, replies, strict=True):
            if raw is None:
                continue
            v, data = _version(version), as_bytes(raw)
            if cache is self._rules:
                cache.put(pid, v, _rules(data))
            elif cache is self._profiles:
                cache.put(pid, v, _profile(data))
            else:
                cache.put(pid, v, _roster(data, v))


def _licences(raws: Any) -> tuple[Licence, ...]:
    return tuple(
        Licence(lic.jurisdiction, lic.issued_at.ToDatetime(tzinfo=UTC), lic.expires_at.ToDatetime(tzinfo=UTC))
        for lic in decode_licences([as_bytes(r) for r in raws or ()])
    )
