"""Officer rosters (domain/roster.py) expanded to UTC shifts: the cycle, then the overrides.

DST decision: a rostered shift is what the officer's wall clock says ("19:00-07:00"). The
definition's ``length`` is the nominal length on an ordinary day and fixes the *wall-clock*
end (start + length, modulo 24 h). The real duration is the distance between the two wall
times converted separately, so a 19:00-07:00 night lasts 13 h on a fall-back night and 11 h on
a spring-forward night. Adding the length to the UTC start would put the end at 06:00 or
08:00 on the officer's clock, which is not when the shift ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.roster import OFF, Roster, ShiftKind, classify_shift_kind
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

__all__ = ["Shift", "ShiftSource", "is_duty_day", "shifts", "wall_interval"]

_DAY = timedelta(days=1)


def wall_interval(day: date, start: time, length: timedelta, zone: ZoneInfo) -> Interval:
    """UTC interval of a duty that starts at ``start`` on ``day`` and ends at the wall time
    ``start + length`` (see the module note on DST)."""
    end_local = datetime.combine(day, start) + length
    begin = local_to_utc(day, start, zone)
    end = local_to_utc(end_local.date(), end_local.time(), zone)
    # Only a sub-hour duty that starts inside a spring-forward gap can map its end before its
    # start (the gap moves the start forward): its wall-clock hours do not exist that day, so
    # it is empty, and ``shifts`` leaves it out.
    return Interval(begin, max(begin, end))


class ShiftSource(StrEnum):
    CYCLE = "cycle"
    OVERRIDE = "override"


@dataclass(frozen=True, slots=True)
class Shift:
    """One concrete duty period in UTC."""

    interval: Interval
    local_date: date  # the officer's local date the duty starts on
    kind: ShiftKind
    source: ShiftSource
    label: str  # the cycle letter, or the override kind

    @property
    def start(self) -> datetime:
        return self.interval.start

    @property
    def end(self) -> datetime:
        return self.interval.end


def is_duty_day(roster: Roster, moment: datetime) -> bool:
    """Whether the officer's local date of ``moment`` is a duty day: a cycle shift that is not
    cancelled, or a duty-adding override, starts on that date (else it is a day off)."""
    day = moment.astimezone(load_zone(roster.zone)).date()
    if any(ov.kind.adds_duty and ov.day == day for ov in roster.overrides):
        return True
    if roster.letter_on(day) == OFF:
        return False
    return not any(day in ov.cancelled_days() for ov in roster.overrides)


def shifts(roster: Roster, window: Interval) -> list[Shift]:
    """Every (non-empty) duty period overlapping ``window``, cycle and overrides, sorted by start."""
    zone = load_zone(roster.zone)
    # A shift is at most 24 wall-clock hours, so one starting two local days before the
    # window's first date has ended before the window begins.
    first = window.start.astimezone(zone).date() - _DAY
    last = window.end.astimezone(zone).date()
    cancelled = {day for ov in roster.overrides for day in ov.cancelled_days()}
    out: list[Shift] = []
    day = first
    while day <= last:
        letter = roster.letter_on(day)
        if letter != OFF and day not in cancelled:
            definition = roster.definitions[letter]
            interval = wall_interval(day, definition.start, definition.length, zone)
            if interval.duration and interval.overlaps(window):
                out.append(Shift(interval, day, definition.kind, ShiftSource.CYCLE, letter))
        day += _DAY
    for ov in roster.overrides:
        if ov.start is None or ov.length is None:
            continue
        interval = wall_interval(ov.day, ov.start, ov.length, zone)
        if interval.duration and interval.overlaps(window):
            kind = ov.shift_kind or classify_shift_kind(ov.start)
            out.append(Shift(interval, ov.day, kind, ShiftSource.OVERRIDE, ov.kind.value))
    out.sort(key=lambda s: (s.start, s.end))
    return out
