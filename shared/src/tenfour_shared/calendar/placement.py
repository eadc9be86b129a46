"""Where a session of a given type can start, given free time and existing bookings.

A start s of type T is bookable when its footprint [s - buffer_before, s + duration + buffer_after)
lies inside T's free time, overlaps no existing booking widened by that booking's own buffers,
s >= now + minimum notice, and T's per-day / per-ISO-week caps (counted by the provider-local
date of each booking's start) are not yet reached. candidate_starts() yields exactly the starts on
the local step grid for which check_bookable() returns None; the booking path re-checks with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tenfour_shared.calendar.expand import Availability
from tenfour_shared.calendar.sessions import SessionSettings, SessionType
from tenfour_shared.timeline import Interval, as_utc, merge, subtract

__all__ = ["DEFAULT_STEP", "Booking", "Unbookable", "candidate_starts", "check_bookable"]

DEFAULT_STEP = timedelta(minutes=15)
_DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Booking:
    """An existing booking of this provider (UTC interval, without buffers)."""

    interval: Interval
    session_type: SessionType


class Unbookable(StrEnum):
    """Why a proposed start cannot be booked; checked in this order."""

    NOT_OFFERED = "not_offered"  # the rule set has no settings for this session type
    OUTSIDE_HORIZON = "outside_horizon"  # footprint not inside the expanded window: expand wider
    TOO_SOON = "too_soon"  # before now + minimum notice
    OFF_GRID = "off_grid"  # not on the local step grid (only when a step is given)
    NOT_AVAILABLE = "not_available"  # footprint not inside free time for this session type
    CONFLICT = "conflict"  # overlaps an existing booking or its buffers
    DAY_CAP = "day_cap"  # max_per_day already reached on that local day
    WEEK_CAP = "week_cap"  # max_per_week already reached in that local ISO week


@dataclass(frozen=True, slots=True)
class _Context:
    settings: SessionSettings
    zone: ZoneInfo
    blocked: list[Interval]
    per_day: Counter[date]
    per_week: Counter[tuple[int, int]]

    @classmethod
    def build(
        cls, availability: Availability, settings: SessionSettings, bookings: Iterable[Booking]
    ) -> _Context:
        zone = availability.zone
        blocked: list[Interval] = []
        per_day: Counter[date] = Counter()
        per_week: Counter[tuple[int, int]] = Counter()
        for b in bookings:
            own = availability.sessions.get(b.session_type)
            before, after = (own.buffer_before, own.buffer_after) if own else (timedelta(0), timedelta(0))
            blocked.append(b.interval.expand(before, after))
            if b.session_type is settings.session_type:
                day = b.interval.start.astimezone(zone).date()
                per_day[day] += 1
                per_week[_iso_week(day)] += 1
        return cls(settings, zone, merge(blocked), per_day, per_week)

    def footprint(self, start: datetime) -> Interval:
        s = self.settings
        return Interval(start - s.buffer_before, start + s.duration + s.buffer_after)

    def capped(self, start: datetime) -> Unbookable | None:
        day = start.astimezone(self.zone).date()
        s = self.settings
        if s.max_per_day is not None and self.per_day[day] >= s.max_per_day:
            return Unbookable.DAY_CAP
        if s.max_per_week is not None and self.per_week[_iso_week(day)] >= s.max_per_week:
            return Unbookable.WEEK_CAP
        return None


def candidate_starts(
    availability: Availability,
    session_type: SessionType,
    bookings: Iterable[Booking],
    now: datetime,
    *,
    step: timedelta = DEFAULT_STEP,
) -> Iterator[datetime]:
    """Bookable UTC start times on the provider-local step grid, in order."""
    step_minutes = _step_minutes(step)
    settings = availability.sessions.get(session_type)
    if settings is None:
        return
    ctx = _Context.build(availability, settings, bookings)
    earliest = as_utc(now) + settings.min_notice
    for free in subtract(availability.free_for(session_type), ctx.blocked):
        latest = free.end - settings.buffer_after - settings.duration
        start = _align_up(max(free.start + settings.buffer_before, earliest), ctx.zone, step_minutes)
        while start <= latest:
            if ctx.capped(start) is None:
                yield start
            start = _align_up(start + step, ctx.zone, step_minutes)


def check_bookable(
    availability: Availability,
    session_type: SessionType,
    start: datetime,
    bookings: Iterable[Booking],
    now: datetime,
    *,
    step: timedelta | None = None,
) -> Unbookable | None:
    """None when ``start`` can be booked, else the first reason it cannot (see Unbookable)."""
    settings = availability.sessions.get(session_type)
    if settings is None:
        return Unbookable.NOT_OFFERED
    start = as_utc(start)
    ctx = _Context.build(availability, settings, bookings)
    footprint = ctx.footprint(start)
    if not availability.window.contains(footprint):
        return Unbookable.OUTSIDE_HORIZON
    if start < as_utc(now) + settings.min_notice:
        return Unbookable.TOO_SOON
    if step is not None and _align_up(start, ctx.zone, _step_minutes(step)) != start:
        return Unbookable.OFF_GRID
    if not any(free.contains(footprint) for free in availability.free_for(session_type)):
        return Unbookable.NOT_AVAILABLE
    if any(b.overlaps(footprint) for b in ctx.blocked):
        return Unbookable.CONFLICT
    return ctx.capped(start)


def _step_minutes(step: timedelta) -> int:
    minutes, rest = divmod(step, timedelta(minutes=1))
    if rest or minutes <= 0 or _DAY_MINUTES % minutes:
        raise ValueError("step must be a whole number of minutes that divides a day (e.g. 5, 15, 30, 60)")
    return int(minutes)


def _align_up(moment: datetime, zone: ZoneInfo, step_minutes: int) -> datetime:
    """The first instant at or after ``moment`` whose local wall time is a multiple of the step.

    Aligned in local time so Asia/Kolkata (+05:30) and Pacific/Chatham (+12:45) get starts on
    their own quarter hours. Re-checked in a loop because an offset change can fall in between.
    """
    while True:
        local = moment.astimezone(zone)
        past = timedelta(
            minutes=(local.hour * 60 + local.minute) % step_minutes,
            seconds=local.second,
            microseconds=local.microsecond,
        )
        if not past:
            return moment
        moment += timedelta(minutes=step_minutes) - past


def _iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week
