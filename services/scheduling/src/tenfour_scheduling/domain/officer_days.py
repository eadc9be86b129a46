"""The officer's side of a search over whole local dates, kept between searches.

A search's officer side (off-duty windows, excluded days, preferred hours, rest timeline)
is worked out over the officer's whole local dates ``first``..``last`` of the search
window, then cut to the window: the duty, rest and sleep rules are the same whatever the
moment inside the first date the search is made at, and everything the window changes is
a clip at its two ends. So one ``OfficerDays`` serves every search of the same officer
inputs (roster, fatigue policy, preferences, own bookings) and dates, and a search with a
moving clock pays for the officer's side about once a day instead of on every call.

On the grid of starts the same holds for bitmaps: ``LongSide`` is the officer's side for
one session shape over every start of the dates; a search's side is that shifted to its
window's first start, ANDed with the starts whose session fits inside the window.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from datetime import date, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.booking_rules import capped_days, local_day, officer_busy
from tenfour_scheduling.domain.fatigue import (
    BlockedInterval,
    FatiguePolicy,
    OffDutyResult,
    off_duty_from_shifts,
)
from tenfour_scheduling.domain.preferences import (
    OfficerPreferences,
    days_before_night_blocks,
    preferred_intervals,
)
from tenfour_scheduling.domain.providers import SessionOffer
from tenfour_scheduling.domain.rest import RestContext, RestTimeline
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.rotation import shifts
from tenfour_shared.timeline import Interval, intersect, local_to_utc, merge

if TYPE_CHECKING:
    from tenfour_scheduling.domain.slot_grid import Grid

__all__ = ["DaysCache", "LongSide", "OfficerDays"]

_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)


class OfficerDays:
    """The officer's side over local dates ``first``..``last`` (``bookings`` in UTC)."""

    def __init__(
        self,
        roster: Roster,
        policy: FatiguePolicy,
        preferences: OfficerPreferences,
        bookings: tuple[Interval, ...],
        zone: ZoneInfo,
        first: date,
        last: date,
    ) -> None:
        self.bookings = bookings
        self.span = Interval(local_to_utc(first, time(0), zone), local_to_utc(last + _DAY, time(0), zone))
        reach = policy.reach()
        self._reach = reach
        # Three days ahead at least: the avoid-the-eve rule looks at nights that start the day
        # after the last local date.
        officer_shifts = shifts(roster, self.span.expand(reach, max(reach, 3 * _DAY)))
        self.off_duty = off_duty_from_shifts(officer_shifts, policy, self.span, zone)
        self._ends = [w.end for w in self.off_duty.windows]
        # Starts are excluded on local dates with the officer's daily limit reached, and on
        # the days before night blocks if the officer asked to avoid them.
        excluded = capped_days(bookings, zone, policy.max_sessions_per_day)
        if preferences.avoid_day_before_night_block:
            excluded += [local_day(d, zone) for d in days_before_night_blocks(officer_shifts)]
        self.excluded_starts = merge(excluded)
        self.preferred = (
            preferred_intervals(preferences.preferred_hours, first, last, zone)
            if preferences.preferred_hours
            else None
        )
        self.preferred_starts: dict[timedelta, list[Interval]] = {}  # by session duration
        self.rest = RestTimeline(self.off_duty.duty, zone, first, last, preferences.usual_wake_time)
        self.sides: dict[tuple[object, ...], LongSide] = {}  # by session shape and grid
        self.slots: dict[tuple[object, ...], tuple[object, object]] = {}  # SearchSpace.kept_slot

    def off_duty_overlaps(self, window: Interval) -> bool:
        """Whether an off-duty window of the dates overlaps ``window``."""
        windows = self.off_duty.windows
        i = bisect_right(self._ends, window.start)  # the first window ending after its start
        return i < len(windows) and windows[i].start < window.end

    def off_duty_in(self, window: Interval) -> OffDutyResult:
        """The off-duty result of ``window`` (inside the dates): the dates' result cut to it."""
        if window == self.span:
            return self.off_duty
        near = window.expand(self._reach, self._reach)
        return OffDutyResult(
            window=window,
            windows=tuple(intersect(self.off_duty.windows, [window])),
            blocked=tuple(
                BlockedInterval(
                    Interval(max(b.interval.start, window.start), min(b.interval.end, window.end)),
                    b.reason,
                    b.text,
                )
                for b in self.off_duty.blocked
                if b.interval.overlaps(window)
            ),
            duty=tuple(b for b in self.off_duty.duty if b.interval.overlaps(near)),
        )


class LongSide:
    """The officer's bitmaps for one session shape over every grid start of the dates: bit
    ``i`` stands for start ``origin + i * step``; ``valid`` ignores the window's ends."""

    __slots__ = ("contexts", "preferred", "valid")

    def __init__(self, days: OfficerDays, grid: Grid, session: SessionOffer) -> None:
        d = session.duration // _US
        self.valid = (
            grid.fits(days.off_duty.windows, d)
            & ~grid.hits(officer_busy(session, days.bookings), d)
            & ~grid.within(days.excluded_starts)
        )
        # Preferred starts as _start_sets takes them: from each range as given.
        self.preferred = grid.full if days.preferred is None else grid.fits(days.preferred, d, merged=False)
        self.contexts: dict[RestContext, int] = {}
        if grid.hi > grid.lo:
            for span, context in days.rest.segments(
                Interval(grid.moment(0), grid.moment(grid.hi - grid.lo - 1) + _US)
            ):
                self.contexts[context] = self.contexts.get(context, 0) | grid.within([span])


class DaysCache:
    """The last ``OfficerDays`` per caller key (an officer), kept while its inputs are equal;
    the least recently used go first (an entry is at most ~30 KB at 14 days, ~95 KB at 60)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._items: OrderedDict[object, tuple[tuple[object, ...], OfficerDays]] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()

    def get(
        self,
        key: object,
        roster: Roster,
        policy: FatiguePolicy,
        preferences: OfficerPreferences,
        bookings: tuple[Interval, ...],
        zone: ZoneInfo,
        first: date,
        last: date,
    ) -> OfficerDays:
        inputs = (roster, policy, preferences, bookings, zone, first, last)
        hit = self._items.get(key)
        if hit is not None and hit[0] == inputs:
            self._items.move_to_end(key)
            return hit[1]
        days = OfficerDays(roster, policy, preferences, bookings, zone, first, last)
        self._items[key] = (inputs, days)
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return days
