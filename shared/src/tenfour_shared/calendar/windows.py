"""Windows of availability in provider-local wall-clock time (semantics in rules.py)."""

from __future__ import annotations

from datetime import date, time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tenfour_shared.calendar.errors import invalid
from tenfour_shared.calendar.sessions import SessionType
from tenfour_shared.timeline import Interval, local_to_utc

__all__ = ["DateOverride", "Weekday", "WeeklyWindow", "Window"]

_DAY_MINUTES = 24 * 60
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Weekday(IntEnum):
    """ISO 8601 numbering, as date.isoweekday() and google.type.DayOfWeek."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7

    @property
    def short(self) -> str:
        return self.name[:3].title()


class Window(BaseModel):
    """A local wall-clock window [start, end); end <= start means the window ends the next day."""

    model_config = _FROZEN

    start: time
    end: time
    offers: tuple[SessionType, ...] = (SessionType.INDIVIDUAL,)

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise invalid("must be a wall-clock time without a timezone; the rule set's timezone applies")
        if value.second or value.microsecond:
            raise invalid("must be a whole minute")
        return value

    @field_validator("offers")
    @classmethod
    def _some_offers(cls, value: tuple[SessionType, ...]) -> tuple[SessionType, ...]:
        if not value:
            raise invalid("must offer at least one session type")
        # Canonical order keeps serialised rule sets byte-stable for event dedupe.
        return tuple(t for t in SessionType if t in value)

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def wall_minutes(self) -> int:
        """Length in wall-clock minutes (DST may make the real interval longer or shorter)."""
        start, end = self.start.hour * 60 + self.start.minute, self.end.hour * 60 + self.end.minute
        return (end - start) % _DAY_MINUTES or _DAY_MINUTES

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}\u2013{self.end:%H:%M}"

    def occurrence(self, day: date, zone: ZoneInfo) -> Interval | None:
        """The UTC interval of this window starting on local ``day``; None if DST empties it."""
        start = local_to_utc(day, self.start, zone)
        end = local_to_utc(day + timedelta(days=1) if self.overnight else day, self.end, zone)
        # A window starting in a spring-forward gap can be moved past its own end.
        return Interval(start, end) if end > start else None


class WeeklyWindow(Window):
    """A window that recurs every week on ``weekday`` (the local day it starts on)."""

    weekday: Weekday

    @property
    def label(self) -> str:
        return f"{self.weekday.short} {super().label}"


class DateOverride(BaseModel):
    """Replaces the windows starting on one local date; no windows means the day is off."""

    model_config = _FROZEN

    day: date
    windows: tuple[Window, ...] = Field(default=(), max_length=24)

    @classmethod
    def off(cls, day: date) -> DateOverride:
        return cls(day=day)
