"""An agency's eligible providers, their kept offers and their slot pool, kept between searches.

The search's read returns the very same snapshot list while no candidate's stamp moved
(adapters/search_reads.py). Over one such list, who is eligible and what they offer depends
on the officer only through: being one of the providers (a peer supporter searching), their
current provider when that provider is not accepting new clients, and the jurisdictions a
clinician must be licensed in; and on the moment only through training and licence dates.
So one entry per (list, those officer facts) serves every officer of the agency until the
next such date, and a search no longer takes a Python step per provider to filter and look
up offers; the pool (domain/slot_pool.py) does the same for the bitmaps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tenfour_scheduling.domain import ProviderOffer
from tenfour_scheduling.domain.records import ProviderSnapshot
from tenfour_scheduling.domain.slot_pool import SlotPool

__all__ = ["Candidates", "Eligible"]

_OFFICER_ENTRIES = 64  # officer-fact combinations kept per snapshot list


@dataclass(frozen=True, slots=True)
class Eligible:
    snapshots: list[ProviderSnapshot]  # eligible, as offered (licence-clipped)
    offers: list[ProviderOffer]
    pool: SlotPool
    providers: dict[str, ProviderSnapshot]  # every snapshot of the list by id (read only)
    since: datetime  # built for this moment
    until: datetime | None  # valid before then (a training or licence date); None: no end


@dataclass(slots=True)
class _List:
    snapshots: list[ProviderSnapshot]  # the read's list object
    ids: frozenset[str]
    by_id: dict[str, ProviderSnapshot]
    not_accepting: frozenset[str]
    dates: tuple[datetime, ...]  # every training and licence date, sorted
    entries: dict[tuple[object, ...], Eligible] = field(default_factory=dict)


def _facts(
    snapshots: Sequence[ProviderSnapshot],
) -> tuple[frozenset[str], dict[str, ProviderSnapshot], frozenset[str], tuple[datetime, ...]]:
    not_accepting: set[str] = set()
    dates: set[datetime] = set()
    for s in snapshots:
        p = s.profile
        if p is not None and p.HasField("accepting_new_clients") and not p.accepting_new_clients:
            not_accepting.add(s.provider_id)
        if s.ready_until is not None:
            dates.add(s.ready_until)
        for lic in s.licences:
            dates.update((lic.issued_at, lic.expires_at))
    by_id = {s.provider_id: s for s in snapshots}
    return frozenset(by_id), by_id, frozenset(not_accepting), tuple(sorted(dates))


class Candidates:
    """Per search key (agency, session type, excluded appointment, providers asked for, days):
    the last snapshot list and its eligible sets per officer facts."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._lists: dict[tuple[object, ...], _List] = {}

    def eligible(
        self,
        key: tuple[object, ...],
        snapshots: list[ProviderSnapshot],
        *,
        officer_id: str,
        current_provider: str | None,
        jurisdictions: frozenset[str] | None,
        now: datetime,
        build: Callable[[], tuple[list[ProviderSnapshot], list[ProviderOffer]]],
        session_type: str,
    ) -> Eligible:
        """The kept entry, or ``build()``'s (eligible snapshots, offers) kept for next time."""
        kept = self._lists.get(key)
        if kept is None or kept.snapshots is not snapshots:
            if kept is None and len(self._lists) >= self._size:
                self._lists.clear()
            kept = self._lists[key] = _List(snapshots, *_facts(snapshots))
        facts = (
            officer_id if officer_id in kept.ids else "",
            current_provider if current_provider in kept.not_accepting else None,
            jurisdictions,
        )
        hit = kept.entries.get(facts)
        if hit is not None and hit.since <= now and (hit.until is None or now < hit.until):
            return hit  # no training or licence date passed since it was built
        eligible, offers = build()
        until = next((d for d in kept.dates if d > now), None)
        entry = Eligible(eligible, offers, SlotPool(offers, session_type), kept.by_id, now, until)
        if len(kept.entries) >= _OFFICER_ENTRIES:
            kept.entries.clear()
        kept.entries[facts] = entry
        return entry
