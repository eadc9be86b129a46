"""The search space of one slot search: every valid start, kept as runs of grid times.

A run is a maximal stretch of grid starts of one provider that share one rank key, so the
cost grows with the number of windows, not with the number of 15-minute steps; a k-way merge
then yields the best starts without materialising the others.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import IntEnum

from tenfour_scheduling.domain.booking_rules import capped_days, local_day, officer_busy, provider_busy
from tenfour_scheduling.domain.fatigue import (
    FatiguePolicy,
    OffDutyResult,
    off_duty_from_shifts,
    off_duty_windows,
)
from tenfour_scheduling.domain.preferences import (
    OfficerPreferences,
    days_before_night_blocks,
    preferred_intervals,
)
from tenfour_scheduling.domain.providers import (
    Officer,
    ProviderKind,
    ProviderOffer,
    SessionOffer,
    utc_intervals,
)
from tenfour_scheduling.domain.rest import RestContext, RestTimeline
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.rotation import shifts
from tenfour_shared.timeline import Interval, intersect, load_zone, local_to_utc, merge, subtract

__all__ = ["Run", "SearchSpace", "Stage"]

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
    """The officer's side of a search, computed once, and each provider's runs against it."""

    def __init__(
        self,
        officer: Officer,
        roster: Roster,
        policy: FatiguePolicy,
        preferences: OfficerPreferences,
        window: Interval,
        bookings: Sequence[Interval],
        step: timedelta,
    ) -> None:
        self.officer, self.policy, self.preferences, self.window = officer, policy, preferences, window
        self.bookings = utc_intervals(bookings)  # not merged: touching sessions count twice a day
        self.zone = load_zone(roster.zone)
        reach = policy.reach()
        # Three days ahead at least: the avoid-the-eve rule looks at nights that start the day
        # after the window's last local date.
        officer_shifts = shifts(roster, window.expand(reach, max(reach, 3 * _DAY)))
        self.off_duty: OffDutyResult = off_duty_from_shifts(officer_shifts, policy, window, self.zone)
        first = window.start.astimezone(self.zone).date()
        last = window.end.astimezone(self.zone).date()
        # Starts are excluded on local dates with the officer's daily limit reached, and on
        # the days before night blocks if the officer asked to avoid them.
        excluded = capped_days(self.bookings, self.zone, policy.max_sessions_per_day)
        if preferences.avoid_day_before_night_block:
            excluded += [local_day(d, self.zone) for d in days_before_night_blocks(officer_shifts)]
        self.excluded_starts = merge(excluded)
        self.preferred = (
            preferred_intervals(preferences.preferred_hours, first, last, self.zone)
            if preferences.preferred_hours
            else None
        )
        self._preferred_starts: dict[timedelta, list[Interval]] = {}  # by session duration
        self.rest = RestTimeline(self.off_duty.duty, self.zone, first, last, preferences.usual_wake_time)
        # Starts lie on a grid anchored at local midnight, so they read :00/:15/:30/:45.
        self.origin_us = _to_us(local_to_utc(first, time(0), self.zone))
        self.step_us = step // _US

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
