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
from datetime import date, time
from functools import cached_property
from typing import Any, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tenfour_shared.calendar.checks import cross_check
from tenfour_shared.calendar.errors import FieldViolation, RuleValidationError, invalid, raise_violations
from tenfour_shared.calendar.sessions import SessionSettings, SessionType, default_sessions
from tenfour_shared.calendar.time_off import TimeOff
from tenfour_shared.calendar.windows import DateOverride, Weekday, WeeklyWindow, Window
from tenfour_shared.text import excerpt
from tenfour_shared.timeline import load_zone

__all__ = ["RuleSet", "check_successor", "parse_rule_set"]


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
            raise invalid(
                f"unknown IANA timezone {excerpt(value)}; use a name such as America/New_York"
            ) from None
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
