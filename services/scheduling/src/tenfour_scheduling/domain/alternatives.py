"""Choosing alternatives for a session in conflict, from slots the search found conflict-free.

Spread first: one per officer-local day while other days have a fitting slot, because an
officer whose week changed wants a choice of days, not three starts on one morning. Each
day's pick is the best by, in order: the provider tier (the same provider, then someone the
officer has seen before, then anyone else of the agency), the officer's preferred hours,
closeness to the session's own time of day (the time the officer chose), the earliest start.
Days are taken in the order of their pick's tier, whether the pick is at the officer's time
of day (within an hour), then date: the soonest days that fit well. Only when fewer days than
``count`` exist do further starts fill up, by the same order, on days already used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import IntEnum
from typing import Generic, Protocol, TypeVar

from tenfour_scheduling.domain.reasons import Reason, joined

__all__ = [
    "DEFAULT_ALTERNATIVES",
    "MAX_ALTERNATIVES",
    "Alternative",
    "Candidate",
    "Tier",
    "choose",
    "minutes_apart",
]

DEFAULT_ALTERNATIVES = 3
MAX_ALTERNATIVES = 10
_NEAR = 60  # minutes from the session's own time of day that still count as "at your time"


class Tier(IntEnum):
    SAME_PROVIDER = 0
    SEEN_BEFORE = 1
    OTHER = 2


_TIER_WORDS = {
    Tier.SAME_PROVIDER: Reason.tier("same_provider", "same provider"),
    Tier.SEEN_BEFORE: Reason.tier("seen_before", "someone you have seen before"),
    Tier.OTHER: Reason.tier("other_provider", "another provider of your agency"),
}


class Candidate(Protocol):
    """What choosing needs of a slot (domain Slot, or an open group session)."""

    @property
    def provider_id(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def local_start(self) -> datetime: ...
    @property
    def preferred_hours(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def reasons(self) -> tuple[Reason, ...]: ...


Slot = TypeVar("Slot", bound=Candidate)


@dataclass(frozen=True, slots=True)
class Alternative(Generic[Slot]):
    slot: Slot
    tier: Tier
    reason: str
    reasons: tuple[Reason, ...] = ()  # the same as codes with values


def minutes_apart(a: time, b: time) -> int:
    """Minutes between two times of day, around midnight (23:30 and 00:15 are 45 apart)."""
    d = abs((a.hour * 60 + a.minute) - (b.hour * 60 + b.minute))
    return min(d, 24 * 60 - d)


def _key(tier: Tier, slot: Candidate, target: time) -> tuple[int, bool, int, datetime]:
    return (tier, not slot.preferred_hours, minutes_apart(slot.local_start.time(), target), slot.start)


def _reason(tier: Tier, slot: Slot, target: time, spread: bool) -> Alternative[Slot]:
    apart = minutes_apart(slot.local_start.time(), target)
    when = (
        Reason.same_time_of_day()
        if apart == 0
        else Reason.close_to_usual(target)
        if apart <= _NEAR
        else Reason.nearest_that_day()
    )
    parts = (_TIER_WORDS[tier], when, *([] if spread else [Reason.no_other_day()]))
    # The slot's own reasons, or its text alone when it has no codes (an older record).
    text = joined(parts) + (f"; {slot.reason}" if slot.reason else "")
    return Alternative(slot, tier, text, parts + tuple(slot.reasons))


def choose(
    candidates: Iterable[tuple[Tier, Slot]], target: time, count: int = DEFAULT_ALTERNATIVES
) -> list[Alternative[Slot]]:
    """Up to ``count`` of ``candidates`` (each already conflict-free), on distinct local days
    whenever that many days have one; best first as described above."""
    if not 1 <= count <= MAX_ALTERNATIVES:
        raise ValueError(f"count must be between 1 and {MAX_ALTERNATIVES}")
    ranked = sorted(candidates, key=lambda c: _key(c[0], c[1], target))
    best: dict[date, tuple[Tier, Slot]] = {}
    for tier, slot in ranked:
        best.setdefault(slot.local_start.date(), (tier, slot))

    def day_order(item: tuple[date, tuple[Tier, Slot]]) -> tuple[int, bool, date]:
        day, (tier, slot) = item
        return (tier, minutes_apart(slot.local_start.time(), target) > _NEAR, day)

    days = sorted(best.items(), key=day_order)[:count]
    chosen = [_reason(tier, slot, target, True) for _, (tier, slot) in days]
    taken = {(a.slot.provider_id, a.slot.start) for a in chosen}
    for tier, slot in ranked:
        if len(chosen) >= count:
            break
        if (slot.provider_id, slot.start) not in taken:
            taken.add((slot.provider_id, slot.start))
            chosen.append(_reason(tier, slot, target, False))
    return chosen
