"""FindSlots' read: the officer's side, and every candidate provider kept in process by stamp.

Every change of what a search reads of a provider (rules, profile, deactivation, a peer's
roster and readiness, both calendars) moves the provider's stamp in the script that makes it
(``keys.STAMP_LUA``), and is noted on the change log (change_log.py). A full read takes the
agency's provider set and all candidates' stamps (one MGET); a provider whose stamp is the
one its kept snapshot was read at is not read again; the others are read with the snapshot
script, which returns the stamp read with the data, so a kept snapshot is never older than
its stamp. Snapshots hold the calendars of whole UTC days around the search, so a moving
clock reuses them all day.

After a full read, the agency's list is kept with the log's position read before it; for
the next ``TRUST_SECONDS`` a search reads only the notes since that position (in the round
trip that reads the officer's side): notes of none of its providers leave the very same list
object (the service keeps what it derives from it), notes of a few re-read just those, and a
membership note or too many notes send it to a full read. So a search of a large agency
touches no per-provider key while its providers do not change.
"""

from __future__ import annotations

import time as monotonic
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import redis.asyncio as aioredis

from tenfour_scheduling.adapters.change_log import LOG, MEMBERSHIP, OWNER
from tenfour_scheduling.adapters.facts import OFFICER_REPLIES, officer_facts, queue_officer
from tenfour_scheduling.adapters.keys import AgencyKeys, ProviderKeys
from tenfour_scheduling.adapters.snapshots import ProviderSnapshot, SnapshotReader, execute
from tenfour_scheduling.domain.records import OfficerFacts, to_ms
from tenfour_shared.redis_store import as_bytes
from tenfour_shared.timeline import Interval

__all__ = ["SearchReader"]

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
TRUST_SECONDS = 5.0  # a list is checked against every stamp at least this often
_NOTES = 256  # more notes since a list's position: a full read is cheaper
_START = b"0-0"  # the log's position before any note


def _whole_days(window: Interval) -> Interval:
    first = datetime.combine(window.start.astimezone(UTC).date(), time(0), UTC)
    last = datetime.combine((window.end.astimezone(UTC) - _TICK).date() + _DAY, time(0), UTC)
    return Interval(first, last)


def _queue_membership(pipe: object, agency_id: str) -> None:
    """The log's last note, then the agency's provider set (in that order: a change noted
    after that position is seen by the next search, one noted before is in what follows)."""
    pipe.xrevrange(LOG, count=1)  # type: ignore[attr-defined]
    pipe.smembers(AgencyKeys(agency_id).providers)  # type: ignore[attr-defined]


def _stamp_key(provider_id: str) -> str:
    return f"{_STAMP_PREFIX}{{{provider_id}}}"


_STAMP_PREFIX = ProviderKeys("x").stamp.removesuffix("{x}")


@dataclass(slots=True)
class _List:
    ids: list[str]
    index: dict[str, int]
    stamps: list[bytes]  # MGET's, or read with the data for providers re-read since
    snapshots: list[ProviderSnapshot]
    position: bytes  # the log's last note already accounted for
    checked: float  # monotonic seconds of the last full read


class SearchReader:
    def __init__(self, redis: aioredis.Redis, snapshots: SnapshotReader, size: int = 32768) -> None:
        self._redis = redis
        self._snapshots = snapshots
        self._size = size
        # (provider id, first and last ms of the days read) -> (stamp, snapshot); oldest first
        self._kept: OrderedDict[tuple[str, int, int], tuple[bytes, ProviderSnapshot]] = OrderedDict()
        self._lists: dict[tuple[object, ...], _List] = {}  # (agency, only, days) -> list

    async def search(
        self, officer_id: str, agency_id: str, window: Interval, only: frozenset[str] | None = None
    ) -> tuple[OfficerFacts, list[ProviderSnapshot]]:
        """The officer's facts around ``window`` and the snapshots of the agency's providers
        (``only``: of those among them), in id order, whose calendars cover at least the same
        days."""
        around = window.expand(_DAY, _DAY)
        days = _whole_days(around)
        lo, hi = to_ms(days.start), to_ms(days.end)
        key = (agency_id, only, lo, hi)
        kept = self._lists.get(key)
        trusted = kept is not None and monotonic.monotonic() - kept.checked < TRUST_SECONDS
        async with self._redis.pipeline(transaction=False) as pipe:
            queue_officer(pipe, officer_id, agency_id, around, "")
            if kept is not None and trusted:
                pipe.xrange(LOG, min=b"(" + kept.position, max="+", count=_NOTES)
            else:
                _queue_membership(pipe, agency_id)
            replies = await pipe.execute()
        facts = officer_facts(replies[:OFFICER_REPLIES], officer_id, agency_id, "")
        rest = replies[OFFICER_REPLIES:]
        if kept is not None and trusted:
            notes = rest[0]
            if len(notes) < _NOTES and not any(MEMBERSHIP in fields for _, fields in notes):
                if notes:
                    await self._advance(kept, notes, days)
                return facts, kept.snapshots
            async with self._redis.pipeline(transaction=False) as pipe:
                _queue_membership(pipe, agency_id)
                rest = await pipe.execute()
        return facts, await self._full(key, rest, only, days)

    async def _advance(
        self, kept: _List, notes: list[tuple[bytes, dict[bytes, bytes]]], days: Interval
    ) -> None:
        """Re-read the noted providers of the list; a new list object when any was."""
        kept.position = as_bytes(notes[-1][0])
        noted = {as_bytes(fields[OWNER]).decode() for _, fields in notes}
        changed = sorted(pid for pid in noted if pid in kept.index)
        if not changed:
            return
        fresh = await self._read(changed, days)
        snapshots, stamps = list(kept.snapshots), list(kept.stamps)
        lo, hi = to_ms(days.start), to_ms(days.end)
        for pid, snapshot in zip(changed, fresh, strict=True):
            i = kept.index[pid]
            snapshots[i] = snapshot
            stamps[i] = self._kept[(pid, lo, hi)][0] if (pid, lo, hi) in self._kept else b""
        kept.snapshots, kept.stamps = snapshots, stamps

    async def _full(
        self, key: tuple[object, ...], replies: list[object], only: frozenset[str] | None, days: Interval
    ) -> list[ProviderSnapshot]:
        """Every stamp of the agency's providers, from the log position and set just read."""
        last, members = replies
        position = as_bytes(last[0][0]) if last else _START  # type: ignore[index]
        ids = sorted(as_bytes(m).decode() for m in members)  # type: ignore[attr-defined]
        if only is not None:
            ids = [i for i in ids if i in only]
        checked = monotonic.monotonic()
        stamps: list[bytes] = []
        if ids:
            raw = await self._redis.mget([_stamp_key(pid) for pid in ids])
            stamps = [b"" if s is None else as_bytes(s) for s in raw]
        previous = self._lists.get(key)
        if previous is not None and previous.stamps == stamps and previous.ids == ids and all(stamps):
            previous.position, previous.checked = position, checked  # no stamp moved
            return previous.snapshots
        lo, hi = to_ms(days.start), to_ms(days.end)
        out: list[ProviderSnapshot | None] = []
        missing: list[str] = []
        for pid, stamp in zip(ids, stamps, strict=True):
            hit = self._kept.get((pid, lo, hi))
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
        index = {pid: i for i, pid in enumerate(ids)}
        self._lists[key] = _List(ids, index, stamps, found, position, checked)
        return found

    async def _read(self, provider_ids: list[str], days: Interval) -> list[ProviderSnapshot]:

        def fill(pipe: Any) -> None:
            for pid in provider_ids:
                self._snapshots.queue(pipe, pid, days)

        replies = await execute(self._redis, fill)
        built = await self._snapshots.build(self._redis, provider_ids, replies)
        lo, hi = to_ms(days.start), to_ms(days.end)
        for pid, stamp, snapshot in zip(provider_ids, self._snapshots.stamps(replies), built, strict=True):
            self._kept.pop((pid, lo, hi), None)  # re-inserted last: the newest go last
            self._kept[(pid, lo, hi)] = (stamp, snapshot)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return built
