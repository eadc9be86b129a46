"""Officer rosters: a repeating cycle of shift letters plus dated overrides, expanded to UTC shifts.

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

from pydantic import Field, ValidationInfo, field_validator

from tenfour_scheduling.domain.validated import ValidatedModel
from tenfour_shared.text import excerpt
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

__all__ = [
    "MAX_CYCLE_DAYS",
    "MAX_SHIFT_LENGTH",
    "OFF",
    "Override",
    "OverrideKind",
    "Roster",
    "Shift",
    "ShiftDefinition",
    "ShiftKind",
    "ShiftSource",
    "classify_shift_kind",
    "is_duty_day",
    "shifts",
    "wall_interval",
]

OFF = "-"
MAX_SHIFT_LENGTH = timedelta(hours=24)
MAX_CYCLE_DAYS = 366
_DAY = timedelta(days=1)


class ShiftKind(StrEnum):
    DAY = "day"
    SWING = "swing"
    NIGHT = "night"


def classify_shift_kind(start: time) -> ShiftKind:
    """Kind of an ad-hoc duty (override, imported event) from its local start time.

    04:00-11:59 day, 12:00-17:59 swing, otherwise night: 23:00 and 19:00 starts are the
    night shifts of BRIEF §2, 15:00 the swing. Rotation letters carry their kind explicitly.
    """
    if time(4) <= start < time(12):
        return ShiftKind.DAY
    if time(12) <= start < time(18):
        return ShiftKind.SWING
    return ShiftKind.NIGHT


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


def _check_length(length: timedelta) -> timedelta:
    if length <= timedelta(0):
        raise ValueError("shift length must be positive")
    if length > MAX_SHIFT_LENGTH:
        raise ValueError(f"shift length {_hours(length)} is over 24 h")
    return length


def _check_wall_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local wall time must not carry a UTC offset")
    return value


def _hours(length: timedelta) -> str:
    hours = length / timedelta(hours=1)
    return f"{hours:g} h"


class ShiftDefinition(ValidatedModel):
    """What one cycle letter means: local start time, nominal length, kind."""

    start: time
    length: timedelta
    kind: ShiftKind

    _check_start = field_validator("start")(_check_wall_time)
    _check_length = field_validator("length")(_check_length)


class OverrideKind(StrEnum):
    # Adds duty on a date, at the given time.
    OVERTIME = "overtime"
    COURT = "court"
    TRAINING = "training"
    SWAP_IN = "swap_in"
    SHIFT = "shift"  # a rostered shift known only by date, e.g. from an imported calendar feed
    # Cancels the cycle shift that starts on each date of the range.
    LEAVE = "leave"
    SICK = "sick"
    SWAP_OUT = "swap_out"

    @property
    def adds_duty(self) -> bool:
        return self in _ADDING


_ADDING = frozenset(
    {
        OverrideKind.OVERTIME,
        OverrideKind.COURT,
        OverrideKind.TRAINING,
        OverrideKind.SWAP_IN,
        OverrideKind.SHIFT,
    }
)


class Override(ValidatedModel):
    """A dated change to the cycle.

    Duty-adding kinds need ``start`` and ``length`` (and may name ``shift_kind``; by default
    it follows the start time). Duty-removing kinds cancel the *cycle* shift starting on each
    local date from ``day`` through ``through`` (inclusive); added duty on those dates stays,
    because a court date during leave still has to be attended.
    """

    kind: OverrideKind
    day: date
    # Validated even when left out: whether they are required depends on ``kind``.
    start: time | None = Field(default=None, validate_default=True)
    length: timedelta | None = Field(default=None, validate_default=True)
    shift_kind: ShiftKind | None = None
    through: date | None = None

    @field_validator("start", mode="after")
    @classmethod
    def _start(cls, value: time | None, info: ValidationInfo) -> time | None:
        kind = info.data.get("kind")
        if kind is not None and kind.adds_duty and value is None:
            raise ValueError(f"{kind.value!r} overrides need a start time")
        if kind is not None and not kind.adds_duty and value is not None:
            raise ValueError(f"{kind.value!r} overrides cancel a day's shift and take no start time")
        return None if value is None else _check_wall_time(value)

    @field_validator("length", mode="after")
    @classmethod
    def _length(cls, value: timedelta | None, info: ValidationInfo) -> timedelta | None:
        kind = info.data.get("kind")
        if kind is not None and kind.adds_duty and value is None:
            raise ValueError(f"{kind.value!r} overrides need a length")
        if kind is not None and not kind.adds_duty and value is not None:
            raise ValueError(f"{kind.value!r} overrides cancel a day's shift and take no length")
        return None if value is None else _check_length(value)

    @field_validator("through", mode="after")
    @classmethod
    def _through(cls, value: date | None, info: ValidationInfo) -> date | None:
        kind, day = info.data.get("kind"), info.data.get("day")
        if value is None:
            return None
        if kind is not None and kind.adds_duty:
            raise ValueError(f"{kind.value!r} overrides cover one duty each; add one per date")
        if day is not None and value < day:
            raise ValueError("through is before day")
        if day is not None and (value - day).days > MAX_CYCLE_DAYS:
            raise ValueError(f"a cancellation may span at most {MAX_CYCLE_DAYS} days")
        return value

    def cancelled_days(self) -> list[date]:
        if self.kind.adds_duty:
            return []
        last = self.through or self.day
        return [self.day + timedelta(days=i) for i in range((last - self.day).days + 1)]


class Roster(ValidatedModel):
    """An officer's rotation: explicit cycle, what each letter means, where the cycle starts.

    On ``anchor`` this squad is at cycle position ``offset_days`` (0-based), so squads sharing
    one cycle and anchor differ only by offset. ``zone`` is the IANA zone of the wall times.
    """

    # Declared before ``cycle`` so the cycle's letters can be checked against it.
    definitions: dict[str, ShiftDefinition]
    cycle: str
    anchor: date
    offset_days: int = 0
    zone: str
    overrides: tuple[Override, ...] = ()

    @field_validator("definitions", mode="after")
    @classmethod
    def _letters(cls, value: dict[str, ShiftDefinition]) -> dict[str, ShiftDefinition]:
        for letter in value:
            if len(letter) != 1 or not ("A" <= letter <= "Z"):
                raise ValueError(f"shift letter {excerpt(letter)} must be one upper-case letter A-Z")
        return value

    @field_validator("cycle", mode="after")
    @classmethod
    def _cycle(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            raise ValueError("cycle must not be empty")
        if len(value) > MAX_CYCLE_DAYS:
            raise ValueError(f"cycle of {len(value)} days is longer than {MAX_CYCLE_DAYS}")
        definitions = info.data.get("definitions")
        if definitions is None:  # already reported on ``definitions``
            return value
        for position, letter in enumerate(value, start=1):
            if letter != OFF and letter not in definitions:
                raise ValueError(f"unknown pattern letter {excerpt(letter)} at position {position}")
        return value

    @field_validator("offset_days", mode="after")
    @classmethod
    def _offset(cls, value: int, info: ValidationInfo) -> int:
        cycle = info.data.get("cycle")
        if cycle is not None and not 0 <= value < len(cycle):
            raise ValueError(f"offset must be between 0 and {len(cycle) - 1} for a {len(cycle)}-day cycle")
        return value

    @field_validator("zone", mode="after")
    @classmethod
    def _zone(cls, value: str) -> str:
        load_zone(value)  # its ValueError names the zone
        return value

    def letter_on(self, day: date) -> str:
        return self.cycle[((day - self.anchor).days + self.offset_days) % len(self.cycle)]


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
