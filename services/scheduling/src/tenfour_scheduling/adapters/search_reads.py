"""FindSlots' read: the officer's side, and every candidate provider kept in process by stamp.

Every change of what a search reads of a provider (rules, profile, deactivation, a peer's
roster and readiness, both calendars) moves the provider's stamp in the script that makes it
(``keys.STAMP_LUA``). A search reads the officer's side and all candidates' stamps in one
round trip (one MGET); a provider whose stamp is the one its kept snapshot was read at is not
read again. The others are read with the snapshot script, which returns the stamp read with
the data, so a kept snapshot is never older than its stamp. Snapshots hold the calendars of
whole UTC days around the search, so a moving clock reuses them all day. When no stamp of
an agency's list moved, the search gets the very list object it got last time (one C-level
comparison of the stamps), which lets the service keep what it derives from the list.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

import redis.asyncio as aioredis

from tenfour_scheduling.adapters.facts import OFFICER_REPLIES, officer_facts, queue_officer
from tenfour_scheduling.adapters.keys import ProviderKeys
from tenfour_scheduling.adapters.snapshots import ProviderSnapshot, SnapshotReader
from tenfour_scheduling.domain.records import OfficerFacts, to_ms
from tenfour_shared.redis_store import as_bytes
from tenfour_shared.timeline import Interval

__all__ = ["SearchReader"]

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


def _whole_days(window: Interval) -> Interval:
    first = datetime.combine(window.start.astimezone(UTC).date(), time(0), UTC)
    last = datetime.combine((window.end.astimezone(UTC) - _TICK).date() + _DAY, time(0), UTC)
    return Interval(first, last)


def _stamp_key(provider_id: str) -> str:
    return f"{_STAMP_PREFIX}{{{provider_id}}}"


_STAMP_PREFIX = ProviderKeys("x").stamp.removesuffix("{x}")


class SearchReader:
    def __init__(self, redis: aioredis.Redis, snapshots: SnapshotReader, size: int = 32768) -> None:
        self._redis = redis
        self._snapshots = snapshots
        self._size = size
        # (provider id, first and last ms of the days read) -> (stamp, snapshot); oldest first
        self._kept: OrderedDict[tuple[str, int, int], tuple[bytes, ProviderSnapshot]] = OrderedDict()
        # (agency, days) -> (provider ids, their stamps, the snapshot list returned for them)
        self._lists: dict[tuple[str, int, int], tuple[list[str], list[bytes], list[ProviderSnapshot]]] = {}

    async def search(
        self, officer_id: str, agency_id: str, window: Interval, provider_ids: Sequence[str]
    ) -> tuple[OfficerFacts, list[ProviderSnapshot]]:
        """The officer's facts around ``window`` and the providers' snapshots (in order), whose
        calendars cover at least the same days."""
        around = window.expand(_DAY, _DAY)
        days = _whole_days(around)
        async with self._redis.pipeline(transaction=False) as pipe:
            queue_officer(pipe, officer_id, agency_id, around, "")
            if provider_ids:
                pipe.mget([_stamp_key(pid) for pid in provider_ids])
            replies = await pipe.execute()
        facts = officer_facts(replies[:OFFICER_REPLIES], officer_id, agency_id, "")
        stamps = [b"" if s is None else as_bytes(s) for s in replies[OFFICER_REPLIES]] if provider_ids else []
        kept = self._kept
        lo, hi = to_ms(days.start), to_ms(days.end)
        last = self._lists.get((agency_id, lo, hi))
        if last is not None and last[1] == stamps and last[0] == provider_ids and all(stamps):
            return facts, last[2]  # no stamp moved (no stamp yet: always read)
        out: list[ProviderSnapshot | None] = []
        missing: list[str] = []
        for pid, stamp in zip(provider_ids, stamps, strict=True):
            hit = kept.get((pid, lo, hi))
            if hit is not None and stamp and hit[0] == stamp:  # no stamp yet: always read
                out.append(hit[1])
            else:
                out.append(None)
                missing.append(pid)
        if missing:
            fresh = iter(await self._read(missing, days))
            out = [s if s is not None else next(fresh) for s in out]
        found = [s for s in out if s is not None]
        if len(self._lists) >= self._size // 64:
            self._lists.clear()
        self._lists[(agency_id, lo, hi)] = (list(provider_ids), stamps, found)
        return facts, found

    async def _read(self, provider_ids: list[str], days: Interval) -> list[ProviderSnapshot]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for pid in provider_ids:
                self._snapshots.queue(pipe, pid, days)
            replies = await pipe.execute()
        built = await self._snapshots.build(self._redis, provider_ids, replies)
        lo, hi = to_ms(days.start), to_ms(days.end)
        for pid, stamp, snapshot in zip(provider_ids, self._snapshots.stamps(replies), built, strict=True):
            self._kept.pop((pid, lo, hi), None)  # re-inserted last: the newest go last
            self._kept[(pid, lo, hi)] = (stamp, snapshot)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return built
