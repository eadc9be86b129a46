"""The search space of one slot search: every valid start, kept as runs of grid times.

A run is a maximal stretch of grid starts of one provider that share one rank key, so the
cost grows with the number of windows, not with the number of 15-minute steps; a k-way merge
then yields the best starts without materialising the others.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import cached_property
from typing import TypeVar, cast

from tenfour_scheduling.domain.booking_rules import capped_days, officer_busy, provider_busy
from tenfour_scheduling.domain.fatigue import FatiguePolicy, OffDutyResult, off_duty_windows
from tenfour_scheduling.domain.officer_days import DaysCache, OfficerDays
from tenfour_scheduling.domain.preferences import OfficerPreferences
from tenfour_scheduling.domain.providers import (
    Officer,
    ProviderKind,
    ProviderOffer,
    SessionOffer,
    utc_intervals,
)
from tenfour_scheduling.domain.rest import RestContext
from tenfour_scheduling.domain.roster import Roster
from tenfour_shared.timeline import Interval, intersect, load_zone, subtract

__all__ = ["Run", "SearchSpace", "Stage"]

T = TypeVar("T")
_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Stage(IntEnum):
    """How far a provider got before every candidate was gone (higher = closer to a slot)."""

    NO_OVERLAP = 1
    TOO_SHORT = 2
    FULLY_BOOKED = 3
    DAYS_TAKEN = 4
    NO_GRID_START = 5
    FOUND = 6


@dataclass(frozen=True, slots=True)
class Run:
    """Grid starts ``first + i * step`` for ``i < count``: one provider, one rank key."""

    key: tuple[int, ...]
    first_us: int
    count: int
    offer: ProviderOffer
    preferred: bool
    context: RestContext

    def start(self, i: int, step_us: int) -> datetime:
        return _EPOCH + timedelta(microseconds=self.first_us + i * step_us)


class SearchSpace:
    """The officer's side of a search, and each provider's runs against it. The officer's
    side is that of the window's whole local dates cut to the window (officer_days.py)."""

    def __init__(
        self,
        officer: Officer,
        roster: Roster,
        policy: FatiguePolicy,
        preferences: OfficerPreferences,
        window: Interval,
        bookings: Sequence[Interval],
        step: timedelta,
        days: DaysCache | None = None,
    ) -> None:
        """``days`` may keep the officer's side of whole dates between searches (keyed by
        the officer's id); the answers are the same."""
        self.officer, self.policy, self.preferences, self.window = officer, policy, preferences, window
        self.zone = load_zone(roster.zone)
        first = window.start.astimezone(self.zone).date()
        last = window.end.astimezone(self.zone).date()
        booked = utc_intervals(bookings)  # not merged: touching sessions count twice a day
        args = (roster, policy, preferences, booked, self.zone, first, last)
        self.days = OfficerDays(*args) if days is None else days.get(officer.officer_id, *args)
        self.bookings = self.days.bookings
        self.excluded_starts = self.days.excluded_starts
        self.preferred = self.days.preferred
        self._preferred_starts = self.days.preferred_starts
        self.rest = self.days.rest
        # Starts lie on a grid anchored at local midnight, so they read :00/:15/:30/:45.
        self.origin_us = _to_us(self.days.span.start)
        self.step_us = step // _US

    @cached_property
    def off_duty(self) -> OffDutyResult:
        """The window's off-duty windows with every blocked part and its reason."""
        return self.days.off_duty_in(self.window)

    def kept_slot(
        self,
        run: Run,
        start: datetime,
        session_type: str,
        make: Callable[[SearchSpace, Run, datetime, str], T],
    ) -> T:
        """``make(self, run, start, session_type)``'s slot (slots.make_slot), kept with the
        officer's dates: the same offer object, start, rank context and continuity make the
        same slot."""
        continuity = run.offer.provider_id == self.officer.current_provider_id
        key = (id(run.offer), start, session_type, run.preferred, run.context, continuity)
        kept = self.days.slots.get(key)
        if kept is not None and kept[0] is run.offer:
            return cast(T, kept[1])
        slot = make(self, run, start, session_type)
        if len(self.days.slots) >= 512:
            self.days.slots.clear()
        self.days.slots[key] = (run.offer, slot)
        return slot

    def has_off_duty(self) -> bool:
        """Whether ``off_duty.windows`` is not empty, without cutting them all."""
        return self.days.off_duty_overlaps(self.window)

    def provider_runs(self, offer: ProviderOffer, session: SessionOffer, runs: list[Run]) -> Stage:
        """Append the provider's runs to ``runs``; say how far it got."""
        duration = session.duration
        free = intersect(session.free, self.off_duty.windows)
        if offer.roster is not None and offer.kind is ProviderKind.PEER:
            free = intersect(free, off_duty_windows(offer.roster, self.policy, self.window).windows)
        if not free:
            return Stage.NO_OVERLAP
        fitting = [iv for iv in free if iv.duration >= duration]
        if not fitting:
            return Stage.TOO_SHORT
        earliest = self.window.start + session.min_notice
        blocked = [
            *provider_busy(session, offer.bookings),
            *officer_busy(session, self.bookings),
            Interval(self.window.start, earliest),
        ]
        unbooked = _start_sets(subtract(fitting, blocked), duration)
        capped = capped_days(
            offer.bookings, load_zone(offer.timezone), session.max_per_day, session.max_per_week
        )
        starts = subtract(unbooked, [*capped, *self.excluded_starts])
        if not starts:
            # Only when nothing is left is it worth finding out whose days ran out.
            return Stage.DAYS_TAKEN if subtract(unbooked, capped) else Stage.FULLY_BOOKED
        before = len(runs)
        continuity = 0 if offer.provider_id == self.officer.current_provider_id else 1
        for part, preferred in self._preferred_split(starts, duration):
            for segment, context in self.rest.segments(part):
                first_us, count = self._grid(segment)
                if count:
                    key = self.class_key(continuity, preferred, context)
                    runs.append(Run(key, first_us, count, offer, preferred, context))
        return Stage.NO_GRID_START if len(runs) == before else Stage.FOUND

    def _preferred_split(self, starts: list[Interval], duration: timedelta) -> list[tuple[Interval, bool]]:
        if self.preferred is None:
            return [(iv, True) for iv in starts]
        inside = self._preferred_starts.get(duration)
        if inside is None:
            inside = self._preferred_starts[duration] = _start_sets(self.preferred, duration)
        return [(iv, True) for iv in intersect(starts, inside)] + [
            (iv, False) for iv in subtract(starts, inside)
        ]

    def class_key(self, continuity: int, preferred: bool, context: RestContext) -> tuple[int, ...]:
        day_off = 0 if context is RestContext.DAY_OFF or not self.preferences.prefer_days_off else 1
        return (continuity, day_off, 0 if preferred else 1, context.rank)

    def _grid(self, span: Interval) -> tuple[int, int]:
        lo, hi = _to_us(span.start), _to_us(span.end)
        first = self.origin_us + -(-(lo - self.origin_us) // self.step_us) * self.step_us
        return first, (0 if first >= hi else (hi - 1 - first) // self.step_us + 1)

    def best(self, runs: list[Run], limit: int) -> Iterator[tuple[Run, datetime]]:
        """The ``limit`` smallest (key, start, provider id) over all runs, by a k-way merge."""
        heap = [(run.key, run.first_us, run.offer.provider_id, idx, 0) for idx, run in enumerate(runs)]
        heapq.heapify(heap)
        for _ in range(limit):
            if not heap:
                return
            key, start_us, provider_id, idx, i = heapq.heappop(heap)
            yield runs[idx], runs[idx].start(i, self.step_us)
            if i + 1 < runs[idx].count:
                heapq.heappush(heap, (key, start_us + self.step_us, provider_id, idx, i + 1))


def _start_sets(windows: Sequence[Interval], duration: timedelta) -> list[Interval]:
    """Valid starts of a ``duration`` session inside ``windows``: the closed set [a, b - d],
    written half-open as [a, b - d + 1 µs) so the shared half-open algebra applies (datetimes
    have µs resolution, so this is exact)."""
    return [Interval(w.start, w.end - duration + _US) for w in windows if w.duration >= duration]


def _to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US
