"""Session types a provider offers and the booking settings of each."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from tenfour_shared.calendar.errors import invalid

__all__ = ["SessionSettings", "SessionType", "default_sessions", "describe", "whole_minutes"]


class SessionType(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    CRISIS = "crisis"


_LIMITS = {
    "duration": (timedelta(minutes=5), timedelta(hours=8)),
    "buffer_before": (timedelta(0), timedelta(hours=2)),
    "buffer_after": (timedelta(0), timedelta(hours=2)),
    "min_notice": (timedelta(0), timedelta(days=365)),
}


def whole_minutes(value: timedelta) -> bool:
    return value % timedelta(minutes=1) == timedelta(0)


def describe(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


class SessionSettings(BaseModel):
    """How one session type is booked. Caps count per provider-local day and ISO week."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session_type: SessionType
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    max_per_day: int | None = None
    max_per_week: int | None = None

    @field_validator("duration", "buffer_before", "buffer_after", "min_notice")
    @classmethod
    def _in_range(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        low, high = _LIMITS[str(info.field_name)]
        if not whole_minutes(value):
            raise invalid("must be a whole number of minutes")
        if not low <= value <= high:
            raise invalid(f"must be between {describe(low)} and {describe(high)}, got {describe(value)}")
        return value

    @field_validator("max_per_day", "max_per_week")
    @classmethod
    def _positive_cap(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and not 1 <= value <= 1000:
            raise invalid("must be between 1 and 1000, or unset for no cap")
        day_cap = info.data.get("max_per_day")
        if (
            info.field_name == "max_per_week"
            and value is not None
            and day_cap is not None
            and value < day_cap
        ):
            raise invalid(f"is {value}, below max_per_day ({day_cap}); the daily cap could never be reached")
        return value

    @property
    def footprint(self) -> timedelta:
        """Free time one session needs, buffers included."""
        return self.buffer_before + self.duration + self.buffer_after

    @classmethod
    def default(cls, session_type: SessionType) -> SessionSettings:
        """Defaults a therapist can start with; caps are opt-in because windows already bound the day."""
        if session_type is SessionType.INDIVIDUAL:
            return cls(
                session_type=session_type,
                duration=timedelta(minutes=50),
                buffer_after=timedelta(minutes=10),
                min_notice=timedelta(hours=2),
            )
        if session_type is SessionType.GROUP:
            # Groups need time to gather participants and a longer reset afterwards.
            return cls(
                session_type=session_type,
                duration=timedelta(minutes=90),
                buffer_after=timedelta(minutes=15),
                min_notice=timedelta(hours=24),
                max_per_day=2,
            )
        # Crisis cover is on call: bookable immediately, short, with a short debrief gap.
        return cls(
            session_type=session_type, duration=timedelta(minutes=30), buffer_after=timedelta(minutes=10)
        )


def default_sessions() -> tuple[SessionSettings, ...]:
    return tuple(SessionSettings.default(t) for t in SessionType)
