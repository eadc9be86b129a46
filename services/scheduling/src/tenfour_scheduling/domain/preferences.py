"""The officer's own scheduling preferences: soft ranking inputs plus one opt-in exclusion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import field_validator, model_validator

from tenfour_scheduling.domain.roster import ShiftKind
from tenfour_scheduling.domain.rotation import Shift
from tenfour_scheduling.domain.validated import ValidatedModel
from tenfour_shared.timeline import Interval, local_to_utc, merge

__all__ = ["LocalHours", "OfficerPreferences", "days_before_night_blocks", "preferred_intervals"]

_DAY = timedelta(days=1)


class LocalHours(ValidatedModel):
    """A daily range of local wall time; ``end`` at or before ``start`` runs past midnight."""

    start: time
    end: time

    @field_validator("start", "end", mode="after")
    @classmethod
    def _naive(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a local wall time must not carry a UTC offset")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> LocalHours:
        if self.start == self.end:
            raise ValueError("preferred hours must not start and end at the same time")
        return self


class OfficerPreferences(ValidatedModel):
    """``preferred_hours`` and ``prefer_days_off`` only rank; ``avoid_day_before_night_block``
    removes that day from the results, because an explicit "avoid" should be honoured."""

    preferred_hours: tuple[LocalHours, ...] = ()
    prefer_days_off: bool = False
    avoid_day_before_night_block: bool = False
    usual_wake_time: time = time(7)  # for "day off, 5 h after waking"
    usual_sleep: LocalHours | None = None  # None: the agency's usual sleep window


def preferred_intervals(
    hours: Sequence[LocalHours], first: date, last: date, zone: ZoneInfo
) -> list[Interval]:
    """The preferred ranges on every local date from ``first`` to ``last`` (and the evening
    before, for ranges past midnight) as UTC intervals, DST-correct."""
    out: list[Interval] = []
    day = first - _DAY
    while day <= last:
        for h in hours:
            end_day = day + _DAY if h.end <= h.start else day
            start, end = local_to_utc(day, h.start, zone), local_to_utc(end_day, h.end, zone)
            if start < end:
                out.append(Interval(start, end))
        day += _DAY
    return merge(out)


def days_before_night_blocks(shift_list: Iterable[Shift]) -> set[date]:
    """Local dates just before the first night of each run of nights on consecutive dates."""
    nights = {s.local_date for s in shift_list if s.kind is ShiftKind.NIGHT}
    return {d - _DAY for d in nights if d - _DAY not in nights}
