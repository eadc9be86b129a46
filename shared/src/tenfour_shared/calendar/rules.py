"""A provider's availability rules: weekly windows, date overrides and time off, in one IANA zone.

Semantics, stated once and shared by expand.py and the tests:

* Window times are provider-local wall-clock times. A window that starts on local date D covers
  the UTC interval [local_to_utc(D, start), local_to_utc(D', end)), where D' is D + 1 day when
  end <= start (an overnight window; end == start is a full 24 h of wall time) and D otherwise.
* local_to_utc uses fold=0: a time inside a fall-back overlap is its first occurrence and a time
  inside a spring-forward gap moves forward by the gap. So 09:00 stays 09:00 local all year, and
  22:00-06:00 lasts 9 h on the fall-back night and 7 h on the spring-forward night.
* A window belongs to the local date it starts on. A date override replaces the windows that
  start on its date (an overnight window from the previous evening still spills into it); an
  override with no windows is a day off. Time off blocks everything it covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum
from functools import cached_property
from typing import Any, Self
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails
from tenfour_shared.calendar.checks import cross_check
from tenfour_shared.calendar.errors import FieldViolation, RuleValidationError
from tenfour_shared.calendar.sessions import SessionSettings, SessionType, default_sessions, invalid
from tenfour_shared.timeline import Interval, load_zone, local_to_utc

__all__ = [
    "DateOverride",
    "Loc",
    "RuleSet",
    "TimeOff",
    "Weekday",
    "WeeklyWindow",
    "Window",
    "check_successor",
    "parse_rule_set",
    "raise_violations",
]

Loc = tuple[str | int, ...]
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


def raise_violations(title: str, violations: list[tuple[Loc, str]]) -> None:
    """Raise one pydantic error per violation at its own location.

    pydantic merges a ValidationError raised inside a validator into the outer one, prefixing
    each location, so a rule-set-level check can still point at ``weekly[2].end``.
    """
    if violations:
        raise ValidationError.from_exception_data(
            title,
            [InitErrorDetails(type=invalid(message), loc=loc, input=None) for loc, message in violations],
        )


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


class TimeOff(BaseModel):
    """Unavailable time: either UTC instants [start, end) or local dates first_day..last_day inclusive."""

    model_config = _FROZEN

    start: datetime | None = None
    end: datetime | None = None
    first_day: date | None = None
    last_day: date | None = None

    @field_validator("start", "end")
    @classmethod
    def _instant(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise invalid("must include a UTC offset, e.g. 2025-03-09T10:00:00Z")
        start = info.data.get("start")
        if info.field_name == "end" and start is not None and value <= start:
            raise invalid("must be after start")
        return value.astimezone(UTC)

    @field_validator("last_day")
    @classmethod
    def _day_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        first = info.data.get("first_day")
        if value is not None and first is not None and value < first:
            raise invalid(f"is before first_day ({first.isoformat()})")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        errors: list[tuple[Loc, str]] = []
        for a, b in (("start", "end"), ("first_day", "last_day")):
            if (getattr(self, a) is None) != (getattr(self, b) is None):
                missing = a if getattr(self, a) is None else b
                errors.append(((missing,), f"is required together with {b if missing == a else a}"))
        instants, days = self.start is not None, self.first_day is not None
        if not errors and instants == days:
            errors.append(
                ((), "give either start and end (UTC instants) or first_day and last_day (local dates)")
            )
        raise_violations("TimeOff", errors)
        return self

    @classmethod
    def between(cls, start: datetime, end: datetime) -> TimeOff:
        return cls(start=start, end=end)

    @classmethod
    def days(cls, first_day: date, last_day: date) -> TimeOff:
        return cls(first_day=first_day, last_day=last_day)

    def interval(self, zone: ZoneInfo) -> Interval:
        if self.start is not None and self.end is not None:
            return Interval(self.start, self.end)
        assert self.first_day is not None
        assert self.last_day is not None
        return Interval(
            local_to_utc(self.first_day, time(0), zone),
            local_to_utc(self.last_day + timedelta(days=1), time(0), zone),
        )


class RuleSet(BaseModel):
    """Everything that decides when one provider is available; carried whole in events."""

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    provider_id: str = Field(min_length=1, max_length=128)
    timezone: str
    # Monotonic per provider: consumers of rule-set events keep the highest version they saw.
    version: int = Field(default=1, ge=0)
    sessions: tuple[SessionSettings, ...] = Field(default_factory=default_sessions, max_length=16)
    weekly: tuple[WeeklyWindow, ...] = Field(default=(), max_length=100)
    overrides: tuple[DateOverride, ...] = Field(default=(), max_length=1000)
    time_off: tuple[TimeOff, ...] = Field(default=(), max_length=1000)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            load_zone(value)
        except ValueError:
            raise invalid(f"unknown IANA timezone {value!r}; use a name such as America/New_York") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        raise_violations("RuleSet", cross_check(self))
        return self

    @classmethod
    def default(cls, provider_id: str, timezone: str, *, version: int = 1) -> RuleSet:
        """Monday to Friday 09:00-17:00 individual sessions, with default session settings."""
        weekly = [
            WeeklyWindow(weekday=day, start=time(9), end=time(17))
            for day in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
        ]
        return cls(provider_id=provider_id, timezone=timezone, version=version, weekly=tuple(weekly))

    @property
    def zone(self) -> ZoneInfo:
        return load_zone(self.timezone)

    @cached_property
    def _by_day(self) -> dict[date, DateOverride]:
        return {o.day: o for o in reversed(self.overrides)}

    @cached_property
    def _by_weekday(self) -> dict[int, tuple[WeeklyWindow, ...]]:
        return {d: tuple(w for w in self.weekly if w.weekday == d) for d in Weekday}

    def settings(self, session_type: SessionType) -> SessionSettings | None:
        return next((s for s in self.sessions if s.session_type is session_type), None)

    def override_on(self, day: date) -> DateOverride | None:
        return self._by_day.get(day)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The windows that start on a local date: its override's, else the weekly ones."""
        override = self._by_day.get(day)
        return override.windows if override is not None else self._by_weekday[day.isoweekday()]

    def revise(self, **changes: Any) -> RuleSet:
        """A validated copy with changes applied and the version bumped (model_copy skips validation)."""
        data = self.model_dump() | changes | {"version": self.version + 1}
        return parse_rule_set(data)

    def supersedes(self, other: RuleSet) -> bool:
        return self.provider_id == other.provider_id and self.version > other.version


def parse_rule_set(data: Mapping[str, Any] | str | bytes) -> RuleSet:
    """Validate untrusted input (a mapping or JSON), raising RuleValidationError with dotted paths."""
    try:
        if isinstance(data, str | bytes):
            return RuleSet.model_validate_json(data)
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        raise RuleValidationError.from_pydantic(exc) from None


def check_successor(previous: RuleSet | None, new: RuleSet) -> None:
    """Reject an edit that does not move the version forward (event consumers rely on it)."""
    if previous is None:
        return
    if previous.provider_id != new.provider_id:
        raise RuleValidationError([FieldViolation("provider_id", "does not match the stored rule set")])
    if new.version <= previous.version:
        raise RuleValidationError(
            [FieldViolation("version", f"must be greater than the stored version {previous.version}")]
        )
