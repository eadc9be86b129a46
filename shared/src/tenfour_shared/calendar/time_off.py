"""Time off: UTC instants, or whole provider-local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from tenfour_shared.calendar.errors import Loc, invalid, raise_violations
from tenfour_shared.timeline import Interval, local_to_utc

__all__ = ["TimeOff"]


class TimeOff(BaseModel):
    """Unavailable time: either UTC instants [start, end) or local dates first_day..last_day inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
