"""An officer's roster as written: a repeating cycle of shift letters, what each letter means
(local start, nominal length, kind), and dated overrides that add or cancel duty. Validated on
construction; service/rosters.py stores it, domain/rotation.py expands it to UTC shifts."""

from __future__ import annotations

from datetime import date, time, timedelta
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from tenfour_scheduling.domain.validated import ValidatedModel
from tenfour_shared.text import excerpt
from tenfour_shared.timeline import load_zone

__all__ = [
    "MAX_CYCLE_DAYS",
    "MAX_SHIFT_LENGTH",
    "OFF",
    "Override",
    "OverrideKind",
    "Roster",
    "ShiftDefinition",
    "ShiftKind",
    "classify_shift_kind",
]

OFF = "-"
MAX_SHIFT_LENGTH = timedelta(hours=24)
MAX_CYCLE_DAYS = 366


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
